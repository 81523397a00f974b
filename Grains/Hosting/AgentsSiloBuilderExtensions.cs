using Agents.Grains.Errors;
using Agents.Grains.Inference;
using Agents.Grains.Memory;
using Agents.Grains.Placement;
using Agents.Grains.Workflows;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Team;
using Agents.Inference.Attention;
using Agents.Inference.Llm;
using Agents.Inference.Offline;
using Agents.Memory.Attention;
using Agents.Memory.Engine;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;

namespace Agents.Grains.Hosting;

/// <summary>Wires an Agents silo onto Orleans' silo builder from configuration (section <c>Agents</c>).</summary>
public static class AgentsSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant of PostgreSQL's provider, for Orleans' clustering, state and reminders.</summary>
    public const string AdoNetInvariant = "Npgsql";

    /// <summary>
    /// Clustering, grain state and reminders. With <c>Agents:Postgres</c> (or <c>AGENTS_PG_CONNECTION</c>):
    /// Orleans' ADO.NET providers on that database (the schema is ours, migrated at start by
    /// <see cref="AddAgents"/>), on the endpoints of <c>Agents:Silo</c>. Without: a localhost cluster
    /// with in-memory state and reminders, of this silo alone or joined to
    /// <c>Agents:Silo:PrimarySiloEndpoint</c>.
    /// </summary>
    public static ISiloBuilder UseAgentsCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = AgentsConfiguration.Read<AgentsSiloOptions>(configuration, AgentsSiloOptions.Section);
        options.Validate();
        silo.Configure<SiloOptions>(o => o.SiloName = options.Name);
        var connection = AgentsConfiguration.PostgresConnection(configuration);
        if (connection is null)
        {
            silo.UseLocalhostClustering(options.Port, options.GatewayPort, options.ResolvePrimarySiloEndpoint(), options.ServiceId, options.ClusterId);
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            return silo;
        }
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.ConfigureEndpoints(options.ResolveAddress(), options.Port, options.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = connection;
        });
        silo.AddAdoNetGrainStorageAsDefault(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = connection;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = connection;
        });
        return silo;
    }

    /// <summary>
    /// What an Agents silo hosts: the memory store (PostgreSQL + pgvector, migrated at start, or
    /// embedded) kept in step with the attention banks; the models (an OpenAI-compatible endpoint or the
    /// offline ones); the memory engine; the inference pool; the error translation of every Agents
    /// grain; the role placement filter; this silo's roles as silo metadata; and the resumption of
    /// pipelines left pending; the local sentence model is loaded before the silo takes calls. Every bad
    /// setting stops the start, named.
    /// </summary>
    public static ISiloBuilder AddAgents(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var siloOptions = AgentsConfiguration.Read<AgentsSiloOptions>(configuration, AgentsSiloOptions.Section);
        var memory = AgentsConfiguration.Read<AgentsMemoryOptions>(configuration, AgentsMemoryOptions.Section);
        var inference = AgentsConfiguration.Read<AgentsInferenceOptions>(configuration, AgentsInferenceOptions.Section);
        memory.Validate();
        inference.Validate();
        var retrieval = configuration.GetSection("Agents:Memory:Retrieval");
        foreach (var profile in new[] { HybridRetrieverOptions.ForOfflineEmbedder(), HybridRetrieverOptions.ForSentenceEmbedder(), new HybridRetrieverOptions() })
            RetrievalOptions(retrieval, profile).Validate();
        var connection = AgentsConfiguration.PostgresConnection(configuration);

        var services = silo.Services;
        services.AddOptions<MemoryGrainOptions>().Bind(configuration.GetSection(MemoryGrainOptions.Section));
        services.AddSingleton<PipelineThrottle>();
        services.AddOptions<WorkflowOptions>().Bind(configuration.GetSection(WorkflowOptions.Section));
        // G-Memory refines insights after every run: workflow runs are few and each one should teach.
        services.AddOptions<TeamMemoryOptions>().Configure(o => { o.StartInsightsAfter = 1; o.RefineEvery = 1; })
            .Bind(configuration.GetSection("Agents:Memory:Team"));
        services.TryAddSingleton(TimeProvider.System);
        if (connection is not null)
        {
            services.AddSingleton(_ => global::Agents.Infra.PostgresDataSource.Create(connection));
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaMigration>();
        }
        services.AddSingleton(Options.Create(new MemoryReaderFactoryOptions { ForceCpu = inference.ForceCpu }));
        services.AddSingleton<MemoryReaderFactory>();
        services.AddSingleton(sp =>
        {
            var storeOptions = new MemoryStoreOptions { Dimension = memory.Dimension };
            IMemoryStore inner = connection is not null
                ? new PostgresMemoryStore(sp.GetRequiredService<NpgsqlDataSource>(), storeOptions, PostgresStoreOptions(configuration.GetSection(PostgresStoreSection)),
                    logger: sp.GetRequiredService<ILogger<PostgresMemoryStore>>())
                : new EmbeddedMemoryStore(storeOptions, new EmbeddedMemoryStoreOptions { SnapshotPath = memory.SnapshotPath }, logger: sp.GetRequiredService<ILogger<EmbeddedMemoryStore>>());
            inner = new InstrumentedMemoryStore(inner, connection is not null ? "postgres" : "embedded");   // store latency metrics
            var readers = sp.GetRequiredService<MemoryReaderFactory>();
            // On PostgreSQL other silos write too: banks are reconciled with the store when read after the interval.
            return new BankSyncedMemoryStore(inner, d => readers.CreateRouted(d), connection is null ? null : inference.BankRefresh);
        });
        services.AddSingleton<IMemoryStore>(sp => sp.GetRequiredService<BankSyncedMemoryStore>());
        services.AddSingleton(sp => sp.GetRequiredService<BankSyncedMemoryStore>().Banks);
        services.AddSingleton(sp => OfflineEmbedders.Create(sp, memory));   // Agents:Memory:Embedder: minilm or hashing
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SentenceModelWarmUp>();   // loaded before the silo takes calls
        services.AddAgentsLlm(configuration.GetSection("Agents:Llm"));   // an endpoint, when configured, replaces the offline embedder
        services.AddSingleton<IMemoryRetriever>(sp =>
        {
            var embedder = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            return new HybridRetriever(sp.GetRequiredService<IMemoryStore>(), embedder, RetrievalOptions(retrieval, OfflineEmbedders.ProfileFor(embedder)));
        });
        // "offline": the memory pipelines stay offline even with an endpoint (agents still use the model).
        if (string.Equals(configuration["Agents:Memory:Models"], "offline", StringComparison.OrdinalIgnoreCase))
            services.AddSingleton(MemoryModels.Offline());
        services.AddMemoryEngine(o => configuration.GetSection("Agents:Memory:Engine").Bind(o));
        services.AddSingleton(sp => new InferencePool(
            sp.GetRequiredService<MemoryBankRegistry>(),
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetService<IChatClient>(),
            sp.GetRequiredService<MemoryReaderFactory>().Device.Available ? "cuda" : "cpu-simd",
            inference.Pool));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PipelineResumption>();

        // Grain state in Orleans' own version-tolerant binary form: the contracts are [GenerateSerializer]
        // records (no parameterless constructors), which the default JSON serializer cannot read back.
        services.Replace(ServiceDescriptor.Singleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>());
        silo.AddIncomingGrainCallFilter<ErrorTranslationFilter>();
        services.AddPlacementFilter<SiloRolePlacementFilterStrategy, SiloRolePlacementFilterDirector>(ServiceLifetime.Transient);
        var roles = siloOptions.RoleList.ToList();
        if (inference.OnCpu && !roles.Contains(SiloRoles.Gpu)) roles.Add(SiloRoles.Gpu);
        silo.UseSiloMetadata(new Dictionary<string, string> { [SiloRoles.MetadataKey] = SiloRoles.Format(roles) });
        return silo;
    }

    /// <summary>Where the PostgreSQL store's settings are read from.</summary>
    public const string PostgresStoreSection = "Agents:Memory:Postgres";

    /// <summary>The PostgreSQL store's settings (<see cref="PostgresMemoryStoreOptions"/>: search paths, held
    /// scopes) with the configured values laid over the defaults.</summary>
    public static PostgresMemoryStoreOptions PostgresStoreOptions(IConfiguration? section)
    {
        var options = new PostgresMemoryStoreOptions();
        section?.Bind(options);
        return options;
    }

    /// <summary>The profile for the embedder (the hashing one's ranking copies full text's, so it only
    /// breaks ties: <see cref="HybridRetrieverOptions.ForOfflineEmbedder"/>) with the configured values laid over it.</summary>
    public static HybridRetrieverOptions RetrievalOptions(IConfiguration? retrieval, bool offline) =>
        RetrievalOptions(retrieval, offline ? HybridRetrieverOptions.ForOfflineEmbedder() : new HybridRetrieverOptions());

    /// <summary><paramref name="profile"/> (<see cref="OfflineEmbedders.ProfileFor"/>) with the configured values laid over it.</summary>
    public static HybridRetrieverOptions RetrievalOptions(IConfiguration? retrieval, HybridRetrieverOptions profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        retrieval?.Bind(profile);
        return profile;
    }
}
