using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary><see cref="IStoredCounterGrain"/> on the storage that deletes the row on clear (its own
/// interface, not a derived one, so that each interface has one grain class).</summary>
[Alias("Agents.Tests.Platform.IDeletingCounterGrain")]
public interface IDeletingCounterGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task<CounterSnapshot> AddAsync(int amount, string note);
    [Alias("Get")]
    Task<CounterSnapshot> GetAsync();
    [Alias("Clear")]
    Task<CounterSnapshot> ClearAsync();
    [Alias("Deactivate")]
    Task DeactivateAsync();
}
