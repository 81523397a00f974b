using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary><see cref="ICounterGrain"/> on the storage that deletes the row on clear (its own
/// interface, not a derived one, so that each interface has one grain class).</summary>
public interface IDeletingCounterGrain : IGrainWithStringKey
{
    Task<CounterSnapshot> AddAsync(int amount, string note);
    Task<CounterSnapshot> GetAsync();
    Task<CounterSnapshot> ClearAsync();
    Task DeactivateAsync();
}
