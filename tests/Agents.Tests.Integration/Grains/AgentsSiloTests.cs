using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using Agents.Grains.Hosting;
using Agents.Memory.Retrieval;
using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Tests.Integration.Grains;

/// <summary>The grains on a whole silo as the host builds it: embedded, and on PostgreSQL.</summary>
public abstract class AgentsSiloTests : IAsyncLifetime
{
    private AgentsSilo _silo = null!;
    protected IGrainFactory Grains => _silo.Host.GrainFactory;

    protected abstract AgentsSiloSettings Settings();

    public async Task InitializeAsync()
    {
        _silo = AgentsSilo.Create(Settings(), NullLoggerFactory.Instance);
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        await _silo.DisposeAsync();
    }

    protected static AgentsSiloSettings Base(string? postgres = null, bool inferenceOnCpu = true, IConfigurationSection? retrieval = null) => new()
    {
        Retrieval = retrieval,
        Postgres = postgres,
        SiloName = "test",
        ClusterId = $"c{Guid.NewGuid():N}",
        InferenceOnCpu = inferenceOnCpu,
        Llm = new ConfigurationBuilder().Build().GetSection("none"),
    };

    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Memory_grain_stores_searches_and_erases_a_scope_completely()
    {
        var scope = ScopeRef.ForUser($"u{Guid.NewGuid():N}", "acme");
        var memory = Grains.Get<IMemoryGrain>(scope.ToGrainKey());
        await memory.AddAsync(new MemoryInput([new TurnInput("alice", "I adopted a grey cat called Miso.", "m1")], T0));
        await memory.AddAsync(new MemoryInput([new TurnInput("alice", "My sister lives in Porto and teaches chemistry.", "m2")], T0.AddDays(1)));
        await memory.WaitForIdleAsync();

        var hits = await memory.SearchAsync(new MemoryQuery("What is the name of the cat?", 3));
        Assert.NotEmpty(hits);
        Assert.Contains("Miso", hits[0].Content);
        Assert.Contains("m1", hits[0].Sources);

        var other = Grains.Get<IMemoryGrain>(ScopeRef.ForUser("someone-else", "acme").ToGrainKey());
        Assert.False(await other.DeleteAsync(hits[0].Id));            // another scope cannot touch it
        Assert.NotEmpty(await memory.HistoryAsync(hits[0].Id));

        var erased = await memory.EraseAsync();
        Assert.True(erased.Records >= 2);
        Assert.True(erased.History >= 2);
        Assert.Empty(await memory.GetAllAsync(100));
    }

    [Fact]
    public async Task Inference_pool_reads_only_the_scopes_memories_with_weights_summing_to_one_and_follows_deletes()
    {
        var scope = ScopeRef.ForTeam($"t{Guid.NewGuid():N}", "acme");
        var memory = Grains.Get<IMemoryGrain>(scope.ToGrainKey());
        string[] texts = ["The release is on Friday.", "The database migration failed twice.", "Lunch is at noon.", "The release notes need a screenshot."];
        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
            await memory.AddAsync(new MemoryInput([new TurnInput("bot", text, $"s{i}")], T0.AddMinutes(i)));
        await memory.WaitForIdleAsync();
        await Grains.Get<IMemoryGrain>(ScopeRef.ForTeam("elsewhere", "acme").ToGrainKey())
            .AddAsync(new MemoryInput([new TurnInput("bot", "The release is on Friday, says the other team.", "x")], T0));

        var pool = Grains.Get<IInferenceGrain>("pool");
        var own = (await memory.GetAllAsync(100)).Select(h => h.Id).ToHashSet();
        var read = await pool.ReadAsync(new AttentionQuery(scope, Text: "when is the release", K: 3));

        Assert.Equal(3, read.Ids.Count);
        Assert.All(read.Ids, id => Assert.Contains(id, own));
        Assert.Equal(1.0, read.Weights.Sum(), 3);
        Assert.Contains("release", (await memory.GetAllAsync(100)).Single(h => h.Id == read.Ids[0]).Content);

        Assert.True(await memory.DeleteAsync(read.Ids[0]));
        var after = await pool.ReadAsync(new AttentionQuery(scope, Text: "when is the release", K: 3));
        Assert.DoesNotContain(read.Ids[0], after.Ids);

        // A bad query fails alone, even when it shares a batch with good ones.
        var bad = pool.ReadAsync(new AttentionQuery(scope, Text: "x", K: 1000));
        var good = Enumerable.Range(0, 4).Select(_ => pool.ReadAsync(new AttentionQuery(scope, Text: "database", K: 2))).ToArray();
        var tooMany = await Assert.ThrowsAnyAsync<Exception>(() => bad);
        Assert.Contains("larger than the bank", tooMany.Message);
        Assert.All(await Task.WhenAll(good), r => Assert.Equal(2, r.Ids.Count));
        var stats = await pool.StatsAsync();
        Assert.Contains(stats.Queues, q => q.Queue == "reads" && q.Requests >= 2);
    }

    [Fact]
    public async Task Agents_recall_their_own_and_their_teams_memories()
    {
        var team = $"t{Guid.NewGuid():N}";
        var writer = Grains.Get<IAgentGrain>(new AgentKey("acme", team, "writer").ToString());
        var planner = Grains.Get<IAgentGrain>(new AgentKey("acme", team, "planner").ToString());
        await planner.RememberAsync(new TurnInput(null, "The launch moved to 21 March.", "p1"), T0, shareWithTeam: true);
        await planner.RememberAsync(new TurnInput(null, "I still owe the accountant the invoices.", "p2"), T0, shareWithTeam: false);
        await writer.WaitForIdleAsync();
        await planner.WaitForIdleAsync();

        var recalled = await writer.RecallAsync("When is the launch?", 5);
        Assert.Contains(recalled, h => h.Content.Contains("21 March"));
        Assert.DoesNotContain(recalled, h => h.Content.Contains("invoices"));     // private to the planner
    }
}

public sealed class EmbeddedAgentsSiloTests : AgentsSiloTests
{
    protected override AgentsSiloSettings Settings() => Base();

    [Fact]
    public void Retrieval_weights_come_from_configuration_over_the_profile_of_the_embedder()
    {
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Memory:Retrieval:ContentTextWeight"] = "0.3",
            ["Agents:Memory:Retrieval:UseMmr"] = "true",
        }).Build();
        var settings = Base(retrieval: configured.GetSection("Agents:Memory:Retrieval"));

        var offline = AgentsSilo.RetrievalOptions(settings, offline: true);
        Assert.Equal((0.3, true), (offline.ContentTextWeight, offline.UseMmr));
        Assert.Equal(HybridRetrieverOptions.ForOfflineEmbedder().VectorWeight, offline.VectorWeight); // the rest is the offline profile
        var model = AgentsSilo.RetrievalOptions(settings, offline: false);
        Assert.Equal(new HybridRetrieverOptions().VectorWeight, model.VectorWeight);
        Assert.Equal(0.3, model.ContentTextWeight);

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["R:VectorWeight"] = "-1" }).Build();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AgentsSilo.Create(Base(retrieval: bad.GetSection("R")), NullLoggerFactory.Instance));
        Assert.Contains("VectorWeight", error.Message);
    }

    [Fact]
    public async Task With_no_silo_offering_the_gpu_role_the_pool_fails_with_a_clear_error_and_the_silo_keeps_serving()
    {
        await using var silo = AgentsSilo.Create(Base(inferenceOnCpu: false), NullLoggerFactory.Instance);
        await silo.StartAsync();
        var error = await Assert.ThrowsAsync<NoSiloWithRoleException>(() => silo.Host.GrainFactory.Get<IInferenceGrain>("pool").StatsAsync());
        Assert.Contains("gpu", error.Message);
        var memory = silo.Host.GrainFactory.Get<IMemoryGrain>(ScopeRef.ForUser("u").ToGrainKey());
        Assert.Empty(await memory.GetAllAsync(10));
        await silo.StopAsync();
    }
}

public sealed class PostgresAgentsSiloTests(PostgresDatabase db) : AgentsSiloTests, IClassFixture<PostgresDatabase>
{
    protected override AgentsSiloSettings Settings() => Base(db.ConnectionString);
}
