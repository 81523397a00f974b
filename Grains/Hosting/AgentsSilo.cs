using System.Net;
using Agents.Grains.Inference;
using Agents.Grains.Memory;
using Agents.Infra.Migrations;
using Agents.Inference.Attention;
using Agents.Inference.Llm;
using Agents.Inference.Offline;
using Agents.Memory.Attention;
using Agents.Memory.Engine;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Agents.Runtime.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Agents.Grains.Hosting;

/// <summary>
/// Builds an Agents silo from <see cref="AgentsSiloSettings"/>: the runtime's providers (PostgreSQL or
/// in-memory), the memory store (PostgreSQL + pgvector or embedded) kept in step with the attention
/// banks, the models (an OpenAI-compatible endpoint or the offline ones), the memory engine, the
/// inference pool, and every grain of this assembly. <see cref="StartAsync"/> migrates the schema,
/// starts the silo and the engine's background work.
/// </summary>
public sealed class AgentsSilo : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _dataSource;
    private readonly ILogger _logger;

    private AgentsSilo(SiloHost host, NpgsqlDataSource? dataSource, ILogger logger)
    {
        Host = host;
        _dataSource = dataSource;
        _logger = logger;
    }

    public SiloHost Host { get; }
    public MemoryEngine Engine => Host.Services.GetRequiredService<MemoryEngine>();

    public static AgentsSilo Create(AgentsSiloSettings settings, ILoggerFactory loggerFactory)
    {
        // A bad retrieval setting fails the start, not the first search.
        RetrievalOptions(settings, offline: true).Validate();
        RetrievalOptions(settings, offline: false).Validate();
        var dataSource = settings.Postgres is null ? null : global::Agents.Infra.PostgresDataSource.Create(settings.Postgres);
        var builder = SiloHost.CreateBuilder().UseLogging(loggerFactory).Configure(o =>
        {
            o.SiloName = settings.SiloName;
            o.ClusterId = settings.ClusterId;
            o.Endpoint = new IPEndPoint(settings.Address, settings.Port);
            o.GatewayPort = settings.GatewayPort;
            o.Roles = settings.InferenceOnCpu && !settings.Roles.Contains(InferenceGrain.Role) ? [.. settings.Roles, InferenceGrain.Role] : settings.Roles;
        });
        if (dataSource is not null) builder.UsePostgres(dataSource);
        builder.AddGrainsFrom(typeof(MemoryGrain).Assembly);

        var services = builder.Services;
        services.AddSingleton(loggerFactory);
        var storeOptions = new MemoryStoreOptions { Dimension = settings.Dimension };
        services.AddSingleton(Options.Create(new MemoryReaderFactoryOptions { ForceCpu = settings.ForceCpu }));
        services.AddSingleton(sp => new MemoryReaderFactory(sp.GetRequiredService<ILogger<MemoryReaderFactory>>(), sp.GetRequiredService<IOptions<MemoryReaderFactoryOptions>>()));
        services.AddSingleton(sp =>
        {
            IMemoryStore inner = dataSource is not null
                ? new PostgresMemoryStore(dataSource, storeOptions, logger: sp.GetRequiredService<ILogger<PostgresMemoryStore>>())
                : new EmbeddedMemoryStore(storeOptions, new EmbeddedMemoryStoreOptions { SnapshotPath = settings.SnapshotPath }, logger: sp.GetRequiredService<ILogger<EmbeddedMemoryStore>>());
            var readers = sp.GetRequiredService<MemoryReaderFactory>();
            // On PostgreSQL other silos write too: banks are reconciled with the store when read after the interval.
            return new BankSyncedMemoryStore(inner, d => readers.CreateRouted(d), dataSource is null ? null : settings.BankRefresh);
        });
        services.AddSingleton<IMemoryStore>(sp => sp.GetRequiredService<BankSyncedMemoryStore>());
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new HashingEmbedder(new HashingEmbedderOptions { Dimensions = settings.Dimension }));
        services.AddAgentsLlm(settings.Llm);   // an endpoint, when configured, replaces the offline embedder
        services.AddSingleton<IMemoryRetriever>(sp =>
        {
            var embedder = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            return new HybridRetriever(sp.GetRequiredService<IMemoryStore>(), embedder, RetrievalOptions(settings, embedder is HashingEmbedder));
        });
        services.AddMemoryEngine();
        services.AddSingleton(sp => new InferencePool(
            sp.GetRequiredService<BankSyncedMemoryStore>().Banks,
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetService<IChatClient>(),
            sp.GetRequiredService<MemoryReaderFactory>().Device.Available ? "cuda" : "cpu-simd",
            settings.InferencePool));

        return new AgentsSilo(builder.Build(), dataSource, loggerFactory.CreateLogger("Agents.Silo"));
    }

    /// <summary>The profile for the embedder (the offline one's ranking copies full text's, so it only
    /// breaks ties: <see cref="HybridRetrieverOptions.ForOfflineEmbedder"/>) with the configured values laid over it.</summary>
    public static HybridRetrieverOptions RetrievalOptions(AgentsSiloSettings settings, bool offline)
    {
        var options = offline ? HybridRetrieverOptions.ForOfflineEmbedder() : new HybridRetrieverOptions();
        settings.Retrieval?.Bind(options);
        return options;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_dataSource is not null)
        {
            var applied = await new PostgresMigrator(_dataSource).MigrateAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("PostgreSQL schema up to date ({Applied} migrations applied now)", applied.Count);
        }
        await Host.StartAsync(cancellationToken).ConfigureAwait(false);
        await Engine.StartAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Silo {Silo} ready at {Address} (store: {Store}, gateway: {Gateway})",
            Host.Name, Host.Address, _dataSource is null ? "embedded" : "postgres", Host.GatewayEndpoint?.ToString() ?? "none");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await Host.StopAsync(cancellationToken).ConfigureAwait(false);
        await Engine.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Resolved before the host disposes its service provider.
        var engine = Engine;
        var pool = Host.Services.GetRequiredService<InferencePool>();
        var banks = Host.Services.GetRequiredService<BankSyncedMemoryStore>().Banks;
        await Host.DisposeAsync().ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);
        await pool.DisposeAsync().ConfigureAwait(false);
        banks.Dispose();
        if (_dataSource is not null) await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
