using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using System.Numerics.Tensors;
using Agents.Grains.Hosting;
using Agents.Inference.Offline;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>The grains on Agents silos as the host builds them: one embedded silo, and two silos on PostgreSQL.</summary>
public abstract class AgentsSiloTests : IAsyncLifetime
{
    protected InProcessTestCluster Cluster { get; private set; } = null!;
    protected IGrainFactory Grains => Cluster.Client;

    protected abstract int Silos { get; }
    protected abstract IReadOnlyDictionary<string, string?> Configuration();

    public async Task InitializeAsync() => Cluster = await AgentsTestCluster.StartAsync(Silos, Configuration());

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Memory_grain_stores_searches_and_erases_a_scope_completely()
    {
        var scope = ScopeRef.ForUser($"u{Guid.NewGuid():N}", "acme");
        var memory = Grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());
        await memory.AddAsync(new MemoryInput([new TurnInput("alice", "I adopted a grey cat called Miso.", "m1")], T0));
        await memory.AddAsync(new MemoryInput([new TurnInput("alice", "My sister lives in Porto and teaches chemistry.", "m2")], T0.AddDays(1)));
        await memory.WaitForIdleAsync();

        var hits = await memory.SearchAsync(new MemoryQuery("What is the name of the cat?", 3));
        Assert.NotEmpty(hits);
        Assert.Contains("Miso", hits[0].Content);
        Assert.Contains("m1", hits[0].Sources);

        var other = Grains.GetGrain<IMemoryGrain>(ScopeRef.ForUser("someone-else", "acme").ToGrainKey());
        Assert.False(await other.DeleteAsync(hits[0].Id));            // another scope cannot touch it
        await Assert.ThrowsAsync<NotFoundException>(() => other.HistoryAsync(hits[0].Id));
        Assert.NotEmpty(await memory.HistoryAsync(hits[0].Id));

        var erased = await memory.EraseAsync();
        Assert.True(erased.Records >= 2);
        Assert.True(erased.History >= 2);
        Assert.Empty(await memory.GetAllAsync(100));
    }

    [Fact]
    public async Task A_retried_add_stores_one_memory()
    {
        var memory = Grains.GetGrain<IMemoryGrain>(ScopeRef.ForUser($"u{Guid.NewGuid():N}", "acme").ToGrainKey());
        var input = new MemoryInput([new TurnInput("alice", "I keep my bike in the basement.", "b1")], T0);

        var first = await memory.AddAsync(input);
        var retried = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => memory.AddAsync(input)));   // the client's retries, some at once
        var keyed = await memory.AddAsync(new MemoryInput([new TurnInput("alice", "I keep my bike in the shed.", "b2")], T0, IdempotencyKey: "k-1"));
        var keyedAgain = await memory.AddAsync(new MemoryInput([new TurnInput("alice", "I keep my bike in the shed.", "b2")], T0.AddMinutes(1), IdempotencyKey: "k-1"));
        await memory.WaitForIdleAsync();

        Assert.False(first.Repeated);
        Assert.All(retried, r => Assert.True(r.Repeated));
        Assert.All(retried, r => Assert.Equal((first.EpisodeId, first.JobId), (r.EpisodeId, r.JobId)));
        Assert.Equal(first.NoteIds, retried[0].NoteIds);
        Assert.Equal((keyed.EpisodeId, true), (keyedAgain.EpisodeId, keyedAgain.Repeated));
        var notes = (await memory.GetAllAsync(100)).Where(h => h.Kind == "note").ToArray();
        Assert.Single(notes, n => n.Sources.Contains("b1"));
        Assert.Single(notes, n => n.Sources.Contains("b2"));
    }

    [Fact]
    public async Task Inference_pool_reads_only_the_scopes_memories_with_weights_summing_to_one_and_follows_deletes()
    {
        var scope = ScopeRef.ForTeam($"t{Guid.NewGuid():N}", "acme");
        var memory = Grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());
        string[] texts = ["The release is on Friday.", "The database migration failed twice.", "Lunch is at noon.", "The release notes need a screenshot."];
        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
            await memory.AddAsync(new MemoryInput([new TurnInput("bot", text, $"s{i}")], T0.AddMinutes(i)));
        await memory.WaitForIdleAsync();
        await Grains.GetGrain<IMemoryGrain>(ScopeRef.ForTeam("elsewhere", "acme").ToGrainKey())
            .AddAsync(new MemoryInput([new TurnInput("bot", "The release is on Friday, says the other team.", "x")], T0));

        var pool = Grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool);
        var own = (await memory.GetAllAsync(100)).Select(h => h.Id).ToHashSet();
        var read = await pool.ReadAsync(new AttentionQuery(scope, Text: "when is the release", K: 3));

        Assert.Equal(3, read.Ids.Count);
        Assert.All(read.Ids, id => Assert.Contains(id, own));
        Assert.Equal(1.0, read.Weights.Sum(), 3);
        Assert.Contains("release", (await memory.GetAllAsync(100)).Single(h => h.Id == read.Ids[0]).Content);

        Assert.True(await memory.DeleteAsync(read.Ids[0]));
        // The pool may run on another silo than the memory grain: its bank catches up with the store
        // within Agents:Inference:BankRefresh (2 s), and at once where both share a silo.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        AttentionReadout after;
        while ((after = await pool.ReadAsync(new AttentionQuery(scope, Text: "when is the release", K: 3))).Ids.Contains(read.Ids[0]) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.DoesNotContain(read.Ids[0], after.Ids);

        // A bad query fails alone, even when it shares a batch with good ones.
        var bad = pool.ReadAsync(new AttentionQuery(scope, Text: "x", K: 1000));
        var good = Enumerable.Range(0, 4).Select(_ => pool.ReadAsync(new AttentionQuery(scope, Text: "database", K: 2))).ToArray();
        var tooMany = await Assert.ThrowsAsync<InvalidRequestException>(() => bad);
        Assert.Contains("larger than the bank", tooMany.Message);
        Assert.All(await Task.WhenAll(good), r => Assert.Equal(2, r.Ids.Count));
        var stats = await pool.StatsAsync();
        Assert.Contains(stats.Queues, q => q.Queue == "reads" && q.Requests >= 2);
    }

    [Fact]
    public async Task Agents_recall_their_own_and_their_teams_memories()
    {
        var team = $"t{Guid.NewGuid():N}";
        var writer = Grains.GetGrain<IAgentGrain>(new AgentKey("acme", team, "writer").ToString());
        var planner = Grains.GetGrain<IAgentGrain>(new AgentKey("acme", team, "planner").ToString());
        await planner.RememberAsync(new TurnInput(null, "The launch moved to 21 March.", "p1"), T0, shareWithTeam: true);
        await planner.RememberAsync(new TurnInput(null, "I still owe the accountant the invoices.", "p2"), T0, shareWithTeam: false);
        await writer.WaitForIdleAsync();
        await planner.WaitForIdleAsync();

        var recalled = await writer.RecallAsync("When is the launch?", 5);
        Assert.Contains(recalled, h => h.Content.Contains("21 March"));
        Assert.DoesNotContain(recalled, h => h.Content.Contains("invoices"));     // private to the planner
        Assert.Contains(await planner.RecallAsync("Who do I owe invoices?", 5), h => h.Content.Contains("invoices"));
    }

    [Fact]
    public async Task Agents_whose_team_and_name_join_to_the_same_text_keep_separate_memories()
    {
        var tenant = $"t{Guid.NewGuid():N}";
        var first = Grains.GetGrain<IAgentGrain>(new AgentKey(tenant, "a/b", "c").ToString());
        var second = Grains.GetGrain<IAgentGrain>(new AgentKey(tenant, "a", "b/c").ToString());
        await first.RememberAsync(new TurnInput(null, "My locker code is 4417.", "f1"), T0, shareWithTeam: false);
        await second.RememberAsync(new TurnInput(null, "My locker code is 9020.", "s1"), T0, shareWithTeam: false);
        await first.WaitForIdleAsync();
        await second.WaitForIdleAsync();

        var firstRecall = await first.RecallAsync("What is my locker code?", 5);
        var secondRecall = await second.RecallAsync("What is my locker code?", 5);
        Assert.Contains(firstRecall, h => h.Content.Contains("4417"));
        Assert.DoesNotContain(firstRecall, h => h.Content.Contains("9020"));
        Assert.Contains(secondRecall, h => h.Content.Contains("9020"));
        Assert.DoesNotContain(secondRecall, h => h.Content.Contains("4417"));
    }

    [Fact]
    public async Task Bad_requests_fail_with_contract_errors_and_write_nothing()
    {
        var scope = ScopeRef.ForUser($"u{Guid.NewGuid():N}", "acme");
        var memory = Grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());
        await Assert.ThrowsAsync<InvalidRequestException>(() => memory.AddAsync(new MemoryInput([], T0)));
        await Assert.ThrowsAsync<InvalidRequestException>(() => memory.AddAsync(new MemoryInput([new TurnInput("a", "   ")], T0)));
        await Assert.ThrowsAsync<InvalidRequestException>(() => memory.SearchAsync(new MemoryQuery("q", TopK: 0)));
        await Assert.ThrowsAsync<NotFoundException>(() => memory.UpdateAsync(Guid.NewGuid(), "new text"));
        var malformed = await Assert.ThrowsAsync<InvalidRequestException>(() => Grains.GetGrain<IMemoryGrain>("not a scope key").GetAllAsync(10));
        Assert.Contains("not a memory scope key", malformed.Message);
        var noIds = await Assert.ThrowsAsync<InvalidRequestException>(() => Grains.GetGrain<IMemoryGrain>(new ScopeRef("acme").ToGrainKey()).GetAllAsync(10));
        Assert.Contains("at least one is required", noIds.Message);
        Assert.Empty(await memory.GetAllAsync(10));
        Assert.Equal(0, (await memory.PipelineStatusAsync()).Processed);
    }
}

public sealed class EmbeddedAgentsSiloTests : AgentsSiloTests
{
    protected override int Silos => 1;
    protected override IReadOnlyDictionary<string, string?> Configuration() => new Dictionary<string, string?>();

    [Fact]
    public void Retrieval_weights_come_from_configuration_over_the_profile_of_the_embedder()
    {
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Memory:Retrieval:ContentTextWeight"] = "0.3",
            ["Agents:Memory:Retrieval:UseMmr"] = "true",
        }).Build();
        var section = configured.GetSection("Agents:Memory:Retrieval");

        var offline = AgentsSiloBuilderExtensions.RetrievalOptions(section, offline: true);
        Assert.Equal((0.3, true), (offline.ContentTextWeight, offline.UseMmr));
        Assert.Equal(HybridRetrieverOptions.ForOfflineEmbedder().VectorWeight, offline.VectorWeight); // the rest is the offline profile
        var model = AgentsSiloBuilderExtensions.RetrievalOptions(section, offline: false);
        Assert.Equal(new HybridRetrieverOptions().VectorWeight, model.VectorWeight);
        Assert.Equal(0.3, model.ContentTextWeight);
        var sentence = AgentsSiloBuilderExtensions.RetrievalOptions(section, OfflineEmbedders.ProfileFor(new SentenceEmbedder()));
        Assert.Equal((HybridRetrieverOptions.ForSentenceEmbedder().VectorWeight, 0.3), (sentence.VectorWeight, sentence.ContentTextWeight));
    }

    [Fact]
    public void The_postgres_store_settings_come_from_configuration()
    {
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Memory:Postgres:Bm25MaxRecords"] = "5000",
            ["Agents:Memory:Postgres:TextStatisticsLifetime"] = "00:00:30",
            ["Agents:Memory:Postgres:EfSearch"] = "200",
            ["Agents:Memory:Postgres:ScopeCache:MaxRecordsPerScope"] = "2000",
        }).Build();

        var options = AgentsSiloBuilderExtensions.PostgresStoreOptions(configured.GetSection(AgentsSiloBuilderExtensions.PostgresStoreSection));

        Assert.Equal((5000, TimeSpan.FromSeconds(30), 200, 2000),
            (options.Bm25MaxRecords, options.TextStatisticsLifetime, options.EfSearch, options.ScopeCache.MaxRecordsPerScope));
        Assert.Equal(new PostgresMemoryStoreOptions().ExactSearchThreshold, options.ExactSearchThreshold); // the rest as by default
    }

    [Fact]
    public async Task The_pool_embeds_with_the_sentence_model_when_no_endpoint_is_configured()
    {
        string[] texts = ["The Aurora release is set for 14 March.", "When does the Aurora launch happen?", "I adopted a puppy last week."];
        var vectors = await Grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).EmbedAsync(texts);
        var expected = await new SentenceEmbedder().GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i].Vector.ToArray(), vectors[i]);
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]) > TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]) + 0.3);
    }

    [Fact]
    public async Task The_hashing_embedder_is_chosen_by_configuration()
    {
        await using var cluster = await AgentsTestCluster.StartAsync(1, new Dictionary<string, string?> { ["Agents:Memory:Embedder"] = "hashing" });
        var vectors = await cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).EmbedAsync(["The Aurora release is set for 14 March."]);
        Assert.Equal(new HashingEmbedder().Embed("The Aurora release is set for 14 March."), vectors[0]);
    }

    [Theory]
    [InlineData("Agents:Memory:Retrieval:VectorWeight", "-1", "VectorWeight")]
    [InlineData("Agents:Memory:Dimension", "0", "Agents:Memory:Dimension")]
    [InlineData("Agents:Memory:Dimension", "many", "Agents:Memory")]
    [InlineData("Agents:Inference:BankRefresh", "-00:00:01", "BankRefresh")]
    [InlineData("Agents:Memory:Embedder", "bert", "Agents:Memory:Embedder")]
    [InlineData("Agents:Memory:SentenceModel:MaxTokens", "2", "Agents:Memory:SentenceModel:MaxTokens")]
    public async Task A_bad_setting_stops_the_start_and_is_named(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AgentsTestCluster.StartAsync(1, new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(named, error.ToString());
    }

    [Fact]
    public async Task With_no_silo_offering_the_gpu_role_the_pool_fails_with_a_clear_error_and_the_silo_keeps_serving()
    {
        await using var cluster = await AgentsTestCluster.StartAsync(1, new Dictionary<string, string?> { ["Agents:Inference:OnCpu"] = "false" });
        var error = await Assert.ThrowsAsync<NoSiloWithRoleException>(() => cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).StatsAsync());
        Assert.Equal("gpu", error.Role);
        Assert.Contains("gpu", error.Message);
        var memory = cluster.Client.GetGrain<IMemoryGrain>(ScopeRef.ForUser("u").ToGrainKey());
        Assert.Empty(await memory.GetAllAsync(10));
    }
}

public sealed class PostgresAgentsSiloTests(PostgresDatabase db) : AgentsSiloTests, IClassFixture<PostgresDatabase>
{
    protected override int Silos => 2;
    protected override IReadOnlyDictionary<string, string?> Configuration() => new Dictionary<string, string?> { ["Agents:Postgres"] = db.ConnectionString };
}
