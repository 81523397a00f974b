using Agents.Abstractions.Memory;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Runtime;

namespace Agents.Grains.Memory;

/// <summary>
/// The memory of one scope: a thin grain over the silo's <see cref="MemoryEngine"/>. Being a grain gives
/// the scope one ordered writer cluster-wide; the engine does the work and its store holds the data,
/// so the grain keeps no state of its own and may re-activate anywhere.
/// </summary>
public sealed class MemoryGrain(MemoryEngine engine) : Grain, IMemoryGrain
{
    private MemoryScope? _parsed;

    /// <summary>The scope named by the key, parsed on first use: a bad key fails each call with the
    /// scope's own error (rather than failing activation), so the caller learns what is wrong.</summary>
    private MemoryScope Scope => _parsed ??= ScopeRef.FromGrainKey(GrainKey).ToScope();

    public async Task<MemoryAddReceipt> AddAsync(MemoryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Messages is not { Count: > 0 }) throw new InvalidMemoryContentException("An add needs at least one message.");
        var request = new AddMemoryRequest(Scope, input.Messages.Select(m => new ConversationTurn(m.Speaker, m.Text)).ToArray(), input.ObservedAt)
        {
            Sources = input.Messages.Select(m => m.SourceId).OfType<string>().ToArray(),
        };
        var result = await engine.AddAsync(request).ConfigureAwait(false);
        return new MemoryAddReceipt(result.EpisodeId, result.NoteIds, result.JobId);
    }

    public Task WaitForIdleAsync() => engine.WaitForIdleAsync(Scope);

    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(MemoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.TopK is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), query.TopK, "topK must be between 1 and 1000.");
        var hits = await engine.SearchAsync(query.Text, query.ToFilter(Scope), query.TopK).ConfigureAwait(false);
        return hits.Select(h => h.Record.ToHit(h.Score)).ToArray();
    }

    public async Task<IReadOnlyList<MemoryHit>> GetAllAsync(int limit)
    {
        if (limit is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 10000.");
        var records = await engine.GetAllAsync(Scope, limit: limit).ConfigureAwait(false);
        return records.Select(r => r.ToHit(1)).ToArray();
    }

    public async Task<IReadOnlyList<MemoryChange>> HistoryAsync(Guid memoryId)
    {
        await RequireOwnAsync(memoryId).ConfigureAwait(false);
        var history = await engine.HistoryAsync(memoryId).ConfigureAwait(false);
        return history.Select(h => h.ToChange()).ToArray();
    }

    public async Task<MemoryHit> UpdateAsync(Guid memoryId, string content)
    {
        await RequireOwnAsync(memoryId).ConfigureAwait(false);
        var updated = await engine.UpdateAsync(memoryId, content).ConfigureAwait(false);
        return updated.ToHit(1);
    }

    public async Task<bool> DeleteAsync(Guid memoryId)
    {
        var record = await engine.GetAsync(memoryId).ConfigureAwait(false);
        if (record is null || !Scope.Contains(record.Scope)) return false;
        return await engine.DeleteAsync(memoryId).ConfigureAwait(false);
    }

    public async Task<ScopeErasure> EraseAsync() => (await engine.DeleteAllAsync(Scope).ConfigureAwait(false)).ToErasure();

    /// <summary>A scope's grain touches only its own memories: another scope's id is "not found", so
    /// ids leak nothing across tenants.</summary>
    private async Task RequireOwnAsync(Guid memoryId)
    {
        var record = await engine.GetAsync(memoryId).ConfigureAwait(false);
        if (record is null || !Scope.Contains(record.Scope))
            throw new MemoryNotFoundException($"No memory {memoryId} in this scope.");
    }
}
