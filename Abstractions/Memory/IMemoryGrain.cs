using Orleans.Concurrency;

namespace Agents.Abstractions.Memory;

/// <summary>
/// The memory of one scope (key: <see cref="ScopeRef.ToGrainKey"/>), and the owner of its background
/// pipeline: one activation cluster-wide enriches, links and consolidates the scope's input in the
/// order it was added. Adds are ordered; searches and reads interleave. An add returns once the input
/// is durable; the pipeline follows (<see cref="WaitForIdleAsync"/>).
/// </summary>
[Alias("Agents.IMemoryGrain")]
public interface IMemoryGrain : IGrainWithStringKey
{
    /// <summary>Stores the input durably and schedules its pipeline. Idempotent: see <see cref="MemoryInput"/>.</summary>
    [Alias("Add")]
    Task<MemoryAddReceipt> AddAsync(MemoryInput input, CancellationToken cancellationToken = default);

    /// <summary>Many adds at once, in order, stored in one transaction (on PostgreSQL by <c>COPY</c>); one
    /// receipt per input. Each is idempotent as <see cref="AddAsync"/> is; all are refused if one is bad.</summary>
    [Alias("AddMany"), ResponseTimeout("00:05:00")]
    Task<IReadOnlyList<MemoryAddReceipt>> AddManyAsync(IReadOnlyList<MemoryInput> inputs, CancellationToken cancellationToken = default);

    /// <summary>Returns when the scope's pending background work is done (or given up).</summary>
    [Alias("WaitForIdle"), AlwaysInterleave, ResponseTimeout("00:10:00")]
    Task WaitForIdleAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns when the background work of the given adds (their receipts' job ids) is done,
    /// however much other work the scope has queued behind them.</summary>
    [Alias("WaitForJobs"), AlwaysInterleave, ResponseTimeout("00:10:00")]
    Task WaitForJobsAsync(IReadOnlyList<Guid> jobIds, CancellationToken cancellationToken = default);

    [Alias("PipelineStatus"), AlwaysInterleave]
    Task<MemoryPipelineStatus> PipelineStatusAsync(CancellationToken cancellationToken = default);

    [Alias("Search"), ReadOnly]
    Task<IReadOnlyList<MemoryHit>> SearchAsync(MemoryQuery query, CancellationToken cancellationToken = default);

    [Alias("GetAll"), ReadOnly]
    Task<IReadOnlyList<MemoryHit>> GetAllAsync(int limit, CancellationToken cancellationToken = default);

    [Alias("History"), ReadOnly]
    Task<IReadOnlyList<MemoryChange>> HistoryAsync(Guid memoryId, CancellationToken cancellationToken = default);

    [Alias("Update")]
    Task<MemoryHit> UpdateAsync(Guid memoryId, string content, CancellationToken cancellationToken = default);

    [Alias("Delete")]
    Task<bool> DeleteAsync(Guid memoryId, CancellationToken cancellationToken = default);

    /// <summary>The scope's notes, facts and entities (at most <paramref name="limit"/>, newest kept) and the
    /// links among them, as at <paramref name="asOf"/> (null: now).</summary>
    [Alias("Graph"), ReadOnly]
    Task<MemoryGraph> GraphAsync(DateTimeOffset? asOf, int limit, CancellationToken cancellationToken = default);

    /// <summary>Complete deletion of the scope: records, embeddings, edges, history, pending work.</summary>
    [Alias("Erase")]
    Task<ScopeErasure> EraseAsync(CancellationToken cancellationToken = default);

    /// <summary>One memory of this scope, in full. <see cref="NotFoundException"/> for a memory of another scope or tenant.</summary>
    [Alias("Get"), ReadOnly]
    Task<MemoryDetail> GetAsync(Guid memoryId, CancellationToken cancellationToken = default);

    /// <summary><see cref="SearchAsync"/>, each hit in full (scope, metadata, times).</summary>
    [Alias("Find"), ReadOnly]
    Task<IReadOnlyList<MemoryDetail>> FindAsync(MemoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>A page of the scope's memories with the total count.</summary>
    [Alias("List"), ReadOnly]
    Task<MemoryPage> ListAsync(MemoryListQuery query, CancellationToken cancellationToken = default);

    /// <summary>A team scope's G-Memory insights with their scores, best first (retired ones too when asked).</summary>
    [Alias("Insights"), ReadOnly]
    Task<IReadOnlyList<TeamInsightDetail>> InsightsAsync(bool includeRetired, CancellationToken cancellationToken = default);

    /// <summary>The runs a team scope recorded, newest first.</summary>
    [Alias("Runs"), ReadOnly]
    Task<IReadOnlyList<TeamRunDetail>> RunsAsync(int limit, int offset, CancellationToken cancellationToken = default);

    /// <summary>One recorded run. <see cref="NotFoundException"/> for another scope's or tenant's id.</summary>
    [Alias("Run"), ReadOnly]
    Task<TeamRunDetail> RunAsync(Guid runId, CancellationToken cancellationToken = default);
}
