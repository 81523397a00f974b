namespace Agents.Abstractions.Memory;

/// <summary>
/// The memory of one scope (key: <see cref="ScopeRef.ToGrainKey"/>). Writes are turns of their own, so
/// a scope's adds are ordered; searches and reads interleave. An add returns once the input is durable;
/// enrichment, linking and consolidation follow in the background (<see cref="WaitForIdleAsync"/>).
/// </summary>
public interface IMemoryGrain : IGrainWithStringKey
{
    Task<MemoryAddReceipt> AddAsync(MemoryInput input);

    /// <summary>Returns when the scope's pending background work is done.</summary>
    [ReadOnly] Task WaitForIdleAsync();

    [ReadOnly] Task<IReadOnlyList<MemoryHit>> SearchAsync(MemoryQuery query);

    [ReadOnly] Task<IReadOnlyList<MemoryHit>> GetAllAsync(int limit);

    [ReadOnly] Task<IReadOnlyList<MemoryChange>> HistoryAsync(Guid memoryId);

    Task<MemoryHit> UpdateAsync(Guid memoryId, string content);

    Task<bool> DeleteAsync(Guid memoryId);

    /// <summary>Complete deletion of the scope: records, embeddings, edges, history, pending work.</summary>
    Task<ScopeErasure> EraseAsync();
}
