namespace Agents.Runtime.Storage;

/// <summary>
/// One named piece of a grain's state, loaded before <see cref="Grain.OnActivateAsync"/> and written
/// with optimistic concurrency: a write whose ETag is stale throws <see cref="InconsistentStateException"/>
/// and the runtime deactivates the activation, so the next call re-reads the stored state.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }
    /// <summary>The stored version this activation last read or wrote; null when nothing is stored.</summary>
    string? ETag { get; }
    bool RecordExists { get; }
    Task ReadStateAsync(CancellationToken cancellationToken = default);
    Task WriteStateAsync(CancellationToken cancellationToken = default);
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
