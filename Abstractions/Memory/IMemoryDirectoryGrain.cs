using Orleans.Concurrency;

namespace Agents.Abstractions.Memory;

/// <summary>
/// Finds which scope of a tenant holds a memory (key: the tenant), for callers that name a memory by id
/// alone (Mem0's <c>/v1/memories/{id}/</c>). A memory of another tenant, or none, is null: ids leak
/// nothing across tenants. Stateless: every silo answers locally.
/// </summary>
[Alias("Agents.IMemoryDirectoryGrain")]
public interface IMemoryDirectoryGrain : IGrainWithStringKey
{
    [Alias("Locate"), ReadOnly]
    Task<ScopeRef?> LocateAsync(Guid memoryId, CancellationToken cancellationToken = default);
}
