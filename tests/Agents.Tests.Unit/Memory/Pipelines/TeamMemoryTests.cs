using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Llm;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Tests.Unit.Memory.Pipelines;

public sealed class TeamMemoryTests : IDisposable
{
    private static readonly MemoryScope Team = MemoryScope.ForTeam("travel-team");
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly EmbeddedMemoryStore _store = new();
    private readonly HashingEmbedder _embedder = new();

    public void Dispose() => _store.Dispose();

    private static TeamTask Booking(string city, bool ok) => new($"Book a hotel room in {city} for two nights",
    [
        new AgentStep("planner", "search") { Action = "search hotels", Observation = "12 hotels found" },
        new AgentStep("planner", "oops") { Action = "open random page", Observation = "error", Reward = -1 },
        new AgentStep("booker", "book") { Action = ok ? "compare prices" : "book first result", Observation = ok ? "best price chosen" : "card declined" },
    ], ok);

    private async Task<List<MemoryRecord>> InsightsAsync(bool includeExpired = false) =>
        (await _store.ListAsync(new MemoryFilter(Team) { Kinds = [MemoryKind.Insight], IncludeExpired = includeExpired }, 100)).ToList();

    [Fact]
    public async Task Tasks_form_a_query_graph_and_insights_are_refined_and_scored()
    {
        var memory = TeamMemory.Offline(_store, _embedder);
        var first = await memory.RecordTaskAsync(Team, Booking("Paris", true), At);
        var second = await memory.RecordTaskAsync(Team, Booking("Paris", true), At.AddHours(1));
        var similar = await _store.GetEdgesAsync(new EdgeQuery(Team.Tenant, [second]) { Types = [TeamMemory.SimilarTaskEdge] });
        Assert.Equal(first, Assert.Single(similar).ToId);

        var trajectory = (await _store.ListAsync(new MemoryFilter(Team) { Kinds = [MemoryKind.Trajectory] }))[0];
        Assert.DoesNotContain("open random page", trajectory.Content); // negative-reward step dropped

        for (var i = 0; i < 3; i++) await memory.RecordTaskAsync(Team, Booking("Rome", true), At.AddHours(2 + i));
        // Five tasks: first refinement. The three successes say the same thing: one rule, agreed with.
        var rule = Assert.Single(await InsightsAsync());
        Assert.Equal("For tasks about nights, hotel, book: search hotels, then compare prices.", rule.Content);
        Assert.Equal(2, TeamMemory.Score(rule));

        // A failure that took "book first result" adds an avoid-rule; agreeing successes raise the first rule.
        for (var i = 0; i < 4; i++) await memory.RecordTaskAsync(Team, Booking("Oslo", i > 0), At.AddHours(10 + i));
        await memory.RecordTaskAsync(Team, Booking("Oslo", false), At.AddHours(20));
        var insights = await InsightsAsync();
        Assert.Equal(3, TeamMemory.Score(insights.Single(i => i.Id == rule.Id)));
        Assert.Contains(insights, i => i.Content.Contains("avoid book first result", StringComparison.Ordinal));

        var recall = await memory.RecallAsync(Team, "Book a hotel room in Paris for two nights");
        Assert.Contains(recall.RelatedTasks, t => t.Id == first);
        Assert.Equal(rule.Id, recall.Insights[0].Id);
        Assert.NotEmpty(recall.SuccessfulTrajectories);
        Assert.All(recall.SuccessfulTrajectories, t => Assert.Equal("true", t.Metadata[TeamMemory.SucceededKey]));
    }

    [Fact]
    public async Task A_keyed_task_with_the_insights_it_used_is_written_once_and_scores_them_once()
    {
        var memory = TeamMemory.Offline(_store, _embedder, new TeamMemoryOptions { StartInsightsAfter = 1, RefineEvery = 1 });
        await memory.RecordTaskAsync(Team, Booking("Paris", true), At, [], "run:1");
        var rule = Assert.Single(await InsightsAsync());

        var first = await memory.RecordTaskAsync(Team, Booking("Rome", true), At.AddHours(1), [rule.Id], "run:2");
        var again = await memory.RecordTaskAsync(Team, Booking("Rome", true), At.AddHours(1), [rule.Id], "run:2");   // a retry after a crash

        Assert.Equal(first, again);
        Assert.Equal(2, (await _store.ListAsync(new MemoryFilter(Team) { Kinds = [MemoryKind.Query] })).Count);
        Assert.Equal(2, (await _store.ListAsync(new MemoryFilter(Team) { Kinds = [MemoryKind.Trajectory] })).Count);
        // Agreed with by the refinement (+1) and used with success (+1), in one write.
        var after = Assert.Single(await InsightsAsync());
        Assert.Equal(TeamMemory.Score(rule) + 2, TeamMemory.Score(after));
        Assert.Equal(rule.Version + 1, after.Version);
    }

    [Fact]
    public async Task A_failed_task_lowers_the_insights_it_used_and_retires_one_at_zero()
    {
        var memory = TeamMemory.Offline(_store, _embedder, new TeamMemoryOptions { StartInsightsAfter = 1, RefineEvery = 1 });
        await memory.RecordTaskAsync(Team, Booking("Paris", true), At);
        var rule = Assert.Single(await InsightsAsync());

        await memory.ReportOutcomeAsync([rule.Id], succeeded: false);

        Assert.Empty(await InsightsAsync());
        var retired = Assert.Single(await InsightsAsync(includeExpired: true));
        Assert.Equal(0, TeamMemory.Score(retired));
        Assert.Equal(MemoryEvent.Invalidate, (await _store.GetHistoryAsync(rule.Id))[^1].Event);
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => memory.ReportOutcomeAsync([Guid.NewGuid()], true));
    }

    [Fact]
    public async Task Llm_refinement_sees_small_ids_and_an_unknown_id_changes_nothing()
    {
        var chat = new ScriptedChat()
            .Answer<InsightOperationsDto>("""{"operations": [{"op": "ADD", "text": "Compare prices before booking, because the first offer is rarely the best."}]}""")
            .Answer<InsightOperationsDto>("""{"operations": [{"op": "AGREE", "id": "0"}, {"op": "EDIT", "id": "4", "text": "x"}]}""");
        var memory = new TeamMemory(_store, _embedder, new OfflineTaskCondenser(), new LlmInsightRefiner(chat), new TeamMemoryOptions { StartInsightsAfter = 1, RefineEvery = 1 });
        await memory.RecordTaskAsync(Team, Booking("Paris", true), At);
        var rule = Assert.Single(await InsightsAsync());

        await Assert.ThrowsAsync<UnknownMemoryReferenceException>(() => memory.RecordTaskAsync(Team, Booking("Rome", false), At.AddHours(1)));

        Assert.Contains("\"id\": \"0\"", chat.Calls[1].User);
        Assert.DoesNotContain(rule.Id.ToString(), chat.Calls[1].User);
        var after = Assert.Single(await InsightsAsync());
        Assert.Equal((rule.Version, 2), (after.Version, TeamMemory.Score(after)));
    }

    [Fact]
    public async Task Near_duplicate_insights_are_merged_into_the_stronger_one()
    {
        var chat = new ScriptedChat()
            .Answer<InsightOperationsDto>("""{"operations": [{"op": "ADD", "text": "Compare hotel prices before booking a room."}]}""")
            .Answer<InsightOperationsDto>("""{"operations": [{"op": "AGREE", "id": "0"}, {"op": "ADD", "text": "Always compare hotel prices before booking."}, {"op": "ADD", "text": "Check the weather before a hike."}]}""");
        var memory = new TeamMemory(_store, _embedder, new OfflineTaskCondenser(), new LlmInsightRefiner(chat), new TeamMemoryOptions { StartInsightsAfter = 1, RefineEvery = 1, MergeEvery = 1000 });
        await memory.RecordTaskAsync(Team, Booking("Paris", true), At);
        await memory.RecordTaskAsync(Team, Booking("Rome", true), At.AddHours(1));
        Assert.Equal(3, (await InsightsAsync()).Count);

        Assert.Equal(1, await memory.MergeInsightsAsync(Team));

        var live = await InsightsAsync();
        Assert.Equal(2, live.Count);
        var kept = live.Single(i => i.Content == "Compare hotel prices before booking a room.");
        Assert.Equal(4, TeamMemory.Score(kept)); // 2 + AGREE + merge
        Assert.Contains(live, i => i.Content == "Check the weather before a hike.");
        Assert.Single(await InsightsAsync(includeExpired: true), i => i.ExpiredAt is not null);
    }

    [Fact]
    public async Task Llm_condensation_keeps_key_steps_and_requires_a_failure_reason()
    {
        var chat = new ScriptedChat()
            .Answer<CondensedTaskDto>("""{"key_steps": ["booker: book first result -> card declined"], "failure_reason": "Booked without checking the card."}""")
            .Answer<CondensedTaskDto>("""{"key_steps": ["booker: book first result"], "failure_reason": null}""");
        var condenser = new LlmTaskCondenser(chat);
        var c = await condenser.CondenseAsync(Booking("Oslo", false), CancellationToken.None);
        Assert.Equal("Booked without checking the card.", c.FailureReason);
        Assert.Contains("\"observation\": \"card declined\"", chat.Calls[0].User);
        await Assert.ThrowsAsync<InvalidModelDecisionException>(() => condenser.CondenseAsync(Booking("Oslo", false), CancellationToken.None).AsTask());
    }
}
