using Agents.Abstractions.Memory;
using Agents.Memory.Stores;
using Orleans.Concurrency;

namespace Agents.Grains.Memory;

/// <summary>Which scope of its tenant (the grain's key) holds a memory. Stateless: one read of the
/// store, answered on the calling silo.</summary>
[StatelessWorker]
public sealed class MemoryDirectoryGrain(IMemoryStore store) : Grain, IMemoryDirectoryGrain
{
    public async Task<ScopeRef?> LocateAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        var record = await store.GetAsync(memoryId, cancellationToken);
        return record is not null && string.Equals(record.Scope.Tenant, this.GetPrimaryKeyString(), StringComparison.Ordinal)
            ? record.Scope.ToScopeRef()
            : null;
    }
}
