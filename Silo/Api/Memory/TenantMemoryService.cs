using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Teams;
using Agents.Client.Api;
using Agents.Memory.Model;

namespace Agents.Silo.Api.Memory;

/// <summary>
/// The memory API of one tenant over the cluster's grains: what the HTTP endpoints, the Mem0 endpoints
/// and the MCP tools all call. The tenant comes from the API key and is part of every grain key, so
/// nothing here can reach another tenant; a memory named by id alone is found through the tenant's
/// directory, which answers only for the tenant's own memories. Bad input is refused before any grain
/// is called, as an <see cref="InvalidRequestException"/>.
/// </summary>
public sealed class TenantMemoryService(IGrainFactory grains, string tenant, TimeProvider time, TimeSpan maxWait) : IAgentsMemoryApi
{
    public const int MaxMessages = 100;
    public const int MaxBulkAdds = 1000;
    public const int MaxQueryLength = 4096;
    public const int MaxSpeakerLength = 256;

    public string Tenant { get; } = tenant;

    public async Task<AddMemoryResponse> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        var (scope, input) = Input(request, "");
        var receipt = await Grain(scope).AddAsync(input, cancellationToken);
        return Response(receipt);
    }

    public async Task<AddMemoriesResponse> AddManyAsync(AddMemoriesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Adds is not { Count: > 0 }) throw new InvalidRequestException("A bulk add needs 'adds' (a non-empty list).");
        if (request.Adds.Count > MaxBulkAdds) throw new InvalidRequestException($"A bulk add holds at most {MaxBulkAdds} adds; got {request.Adds.Count}.");
        // Every add is checked before any is stored; then each scope's adds go to its grain in one call
        // (stored in one transaction there), the scopes at once.
        var inputs = request.Adds.Select((add, i) => Input(add, $"Add {i}: ")).ToList();
        var byScope = inputs.Select((p, i) => (p.Scope, p.Input, Index: i)).GroupBy(static p => p.Scope).ToList();
        var receipts = new MemoryAddReceipt[inputs.Count];
        await Task.WhenAll(byScope.Select(async group =>
        {
            var stored = await Grain(group.Key).AddManyAsync(group.Select(static p => p.Input).ToList(), cancellationToken);
            var i = 0;
            foreach (var p in group) receipts[p.Index] = stored[i++];
        }));
        return new AddMemoriesResponse(receipts.Select(Response).ToList());
    }

    private static AddMemoryResponse Response(MemoryAddReceipt receipt) =>
        new(receipt.EpisodeId, receipt.NoteIds, receipt.JobId, receipt.Repeated, "PENDING");

    // An add's scope and the grain's input, checked; which prefixes the errors (a bulk add names the add).
    private (ScopeRef Scope, MemoryInput Input) Input(AddMemoryRequest? request, string which)
    {
        InvalidRequestException Bad(string message) => new(char.ToUpperInvariant((which + message)[0]) + (which + message)[1..]);
        if (request is null) throw Bad("the add is null.");
        ScopeRef scope;
        try
        {
            scope = ScopeOf(request.Scope);
        }
        catch (InvalidRequestException e) when (which.Length > 0)
        {
            throw Bad(e.Message);
        }
        if (request.Messages is not null && request.Text is not null) throw Bad($"send either 'messages' or 'text', not both.");
        var messages = request.Messages ?? (request.Text is not null ? [new MessageInput(request.Text, Speaker: request.Speaker)] : null);
        if (messages is not { Count: > 0 }) throw Bad($"an add needs 'messages' (a non-empty list) or 'text'.");
        if (messages.Count > MaxMessages) throw Bad($"an add holds at most {MaxMessages} messages; got {messages.Count}.");
        var turns = new List<TurnInput>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw Bad($"message {i} is null.");
            if (string.IsNullOrWhiteSpace(m.Content)) throw Bad($"message {i} has no content.");
            var speaker = m.Speaker ?? m.Role;
            if (speaker is { Length: > MaxSpeakerLength }) throw Bad($"message {i}'s speaker is longer than {MaxSpeakerLength} characters.");
            NoNul(m.Content, $"{which}message {i}'s content");
            NoNul(speaker, $"{which}message {i}'s speaker");
            NoNul(m.SourceId, $"{which}message {i}'s source_id");
            turns.Add(new TurnInput(string.IsNullOrWhiteSpace(speaker) ? null : speaker, m.Content, m.SourceId));
        }
        if (request.IdempotencyKey is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > 256))
            throw Bad($"an idempotency key must be 1 to 256 non-blank characters.");
        NoNul(request.IdempotencyKey, $"{which}the idempotency key");
        return (scope, new MemoryInput(turns, request.ObservedAt ?? time.GetUtcNow(), request.IdempotencyKey));
    }

    public async Task<MemoryResults> SearchAsync(SearchMemoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scope = ScopeOf(request.Scope);
        if (string.IsNullOrWhiteSpace(request.Query)) throw new InvalidRequestException("A search needs a non-blank 'query'.");
        if (request.Query.Length > MaxQueryLength) throw new InvalidRequestException($"The query is longer than {MaxQueryLength} characters.");
        NoNul(request.Query, "the query");
        if (request.Tags is { } tags) foreach (var tag in tags) NoNul(tag ?? throw new InvalidRequestException("A tag is null."), "a tag");
        if (request.TopK is < 1 or > 1000) throw new InvalidRequestException($"'top_k' must lie between 1 and 1000; got {request.TopK}.");
        CheckKinds(request.Kinds);
        var hits = await Grain(scope).FindAsync(new MemoryQuery(request.Query, request.TopK, request.Tags, request.AsOf, request.Kinds), cancellationToken);
        return new MemoryResults(hits.Select(MemoryViews.ToView).ToList(), hits.Count);
    }

    public async Task<MemoryResults> ListAsync(ListMemoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scope = ScopeOf(request.Scope);
        if (request.Limit is < 1 or > 1000) throw new InvalidRequestException($"'limit' must lie between 1 and 1000; got {request.Limit}.");
        if (request.Offset is < 0 or > 1_000_000) throw new InvalidRequestException($"'offset' must lie between 0 and 1000000; got {request.Offset}.");
        CheckKinds(request.Kinds);
        var page = await Grain(scope).ListAsync(new MemoryListQuery(request.Limit, request.Offset, request.Kinds, request.AsOf, request.IncludeExpired), cancellationToken);
        return new MemoryResults(page.Items.Select(MemoryViews.ToView).ToList(), page.Total);
    }

    public async Task<MemoryView> GetAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        var scope = await LocateAsync(memoryId, cancellationToken);
        return MemoryViews.ToView(await grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).GetAsync(memoryId, cancellationToken));
    }

    public async Task<MemoryView> UpdateAsync(Guid memoryId, UpdateMemoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Content)) throw new InvalidRequestException("An update needs a non-blank 'content'.");
        NoNul(request.Content, "the content");
        var scope = await LocateAsync(memoryId, cancellationToken);
        var grain = grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());
        await grain.UpdateAsync(memoryId, request.Content, cancellationToken);
        return MemoryViews.ToView(await grain.GetAsync(memoryId, cancellationToken));
    }

    public async Task DeleteAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        var scope = await LocateAsync(memoryId, cancellationToken);
        if (!await grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).DeleteAsync(memoryId, cancellationToken))
            throw NotFound(memoryId);
    }

    public async Task<MemoryHistory> HistoryAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        var scope = await LocateAsync(memoryId, cancellationToken);
        var changes = await grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).HistoryAsync(memoryId, cancellationToken);
        return new MemoryHistory(memoryId, changes.Select(c => new Agents.Client.Api.MemoryHistoryEntry(c.At, c.Event, c.OldContent, c.NewContent, c.Actor)).ToList());
    }

    public async Task<ScopeErasureView> DeleteScopeAsync(MemoryScopeIds scope, CancellationToken cancellationToken = default)
    {
        var erased = await Grain(ScopeOf(scope)).EraseAsync(cancellationToken);
        return new ScopeErasureView(erased.Records, erased.Embeddings, erased.Edges, erased.History, erased.Jobs);
    }

    public async Task<PipelineStatusView> PipelineAsync(MemoryScopeIds scope, bool waitForIdle, CancellationToken cancellationToken = default)
    {
        var grain = Grain(ScopeOf(scope));
        if (waitForIdle)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(maxWait);
            try
            {
                await grain.WaitForIdleAsync(deadline.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // Still busy after the longest wait: the status says so (pending > 0).
            }
        }
        var status = await grain.PipelineStatusAsync(cancellationToken);
        return new PipelineStatusView(status.Pending, status.Running, status.Processed, status.LastError, status.Silo);
    }

    public async Task<InsightResults> InsightsAsync(string teamId, bool includeRetired = false, CancellationToken cancellationToken = default)
    {
        var scope = ScopeOf(MemoryScopeIds.ForTeam(teamId));
        await RecordedAsync(teamId, cancellationToken);
        var insights = await Grain(scope).InsightsAsync(includeRetired, cancellationToken);
        return new InsightResults(teamId, insights.Select(i => new InsightView(i.Id, i.Text, i.Score, i.Retired, i.CreatedAt, i.UpdatedAt, i.SupportedBy)).ToList());
    }

    public async Task<TeamRunResults> RunsAsync(string teamId, int limit = 50, int offset = 0, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new InvalidRequestException($"'limit' must lie between 1 and 1000; got {limit}.");
        if (offset is < 0 or > 1_000_000) throw new InvalidRequestException($"'offset' must lie between 0 and 1000000; got {offset}.");
        var scope = ScopeOf(MemoryScopeIds.ForTeam(teamId));
        await RecordedAsync(teamId, cancellationToken);
        var runs = await Grain(scope).RunsAsync(limit, offset, cancellationToken);
        return new TeamRunResults(teamId, runs.Select(ToView).ToList());
    }

    public async Task<TeamRunView> RunAsync(string teamId, Guid runId, CancellationToken cancellationToken = default)
    {
        var scope = ScopeOf(MemoryScopeIds.ForTeam(teamId));
        await RecordedAsync(teamId, cancellationToken);
        return ToView(await Grain(scope).RunAsync(runId, cancellationToken));
    }

    /// <summary>The team's runs accepted so far are recorded: a run the caller saw end is in what it reads.</summary>
    private Task RecordedAsync(string teamId, CancellationToken cancellationToken) =>
        grains.GetGrain<ITeamMemoryGrain>(new TeamKey(Tenant, teamId).ToString()).WaitForRecordsAsync(cancellationToken);

    public async Task<MemoryGraphView> GraphAsync(MemoryScopeIds scope, DateTimeOffset? asOf = null, int limit = 500, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 5000) throw new InvalidRequestException($"'limit' must lie between 1 and 5000; got {limit}.");
        var graph = await Grain(ScopeOf(scope)).GraphAsync(asOf, limit, cancellationToken);
        return new MemoryGraphView(graph.Nodes.Select(MemoryViews.ToView).ToList(),
            graph.Links.Select(l => new MemoryLinkView(l.Id, l.From, l.To, l.Type, l.Weight, l.Fact, l.ValidAt, l.InvalidAt)).ToList(), graph.AsOf, graph.Truncated);
    }

    private static TeamRunView ToView(TeamRunDetail r) => new(r.Id, r.Task, r.Succeeded, r.ObservedAt, r.TrajectoryId, r.KeySteps, r.FailureReason, r.SimilarRuns);

    /// <summary>The tenant's scope of these ids, checked as the store would (so a bad id fails here, named).</summary>
    public ScopeRef ScopeOf(MemoryScopeIds? ids)
    {
        if (ids is null || ids.IsEmpty) throw new InvalidRequestException("Name the memory scope: at least one of user_id, agent_id, run_id and team_id.");
        try
        {
            _ = new MemoryScope(Tenant, ids.UserId, ids.AgentId, ids.RunId, ids.TeamId);
        }
        catch (InvalidMemoryInputException e)
        {
            throw new InvalidRequestException(e.Message);
        }
        return new ScopeRef(Tenant, ids.UserId, ids.AgentId, ids.RunId, ids.TeamId);
    }

    private IMemoryGrain Grain(ScopeRef scope) => grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());

    private async Task<ScopeRef> LocateAsync(Guid memoryId, CancellationToken cancellationToken) =>
        await grains.GetGrain<IMemoryDirectoryGrain>(Tenant).LocateAsync(memoryId, cancellationToken) ?? throw NotFound(memoryId);

    private static NotFoundException NotFound(Guid memoryId) => new($"No memory {memoryId}.");

    /// <summary>PostgreSQL text cannot hold U+0000: refused up front, with the field named.</summary>
    private static void NoNul(string? value, string what)
    {
        if (value is not null && value.Contains('\0', StringComparison.Ordinal)) throw new InvalidRequestException($"{char.ToUpperInvariant(what[0])}{what[1..]} contains a NUL character (U+0000).");
    }

    private static void CheckKinds(IReadOnlyList<string>? kinds)
    {
        if (kinds is null) return;
        if (kinds.Count > 16) throw new InvalidRequestException("At most 16 kinds.");
        foreach (var kind in kinds)
        {
            if (kind is null) throw new InvalidRequestException("A kind is null.");
            try
            {
                _ = new MemoryKind(kind);
            }
            catch (ArgumentException e)
            {
                throw new InvalidRequestException(e.Message);
            }
        }
    }
}
