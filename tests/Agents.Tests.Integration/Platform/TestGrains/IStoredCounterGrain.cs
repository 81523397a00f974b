using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>A grain with persistent state on the ADO.NET grain storage.</summary>
[Alias("Agents.Tests.Platform.IStoredCounterGrain")]
public interface IStoredCounterGrain : IGrainWithStringKey
{
    /// <summary>Adds to the value and writes the state.</summary>
    [Alias("Add")]
    Task<CounterSnapshot> AddAsync(int amount, string note);
    [Alias("Get")]
    Task<CounterSnapshot> GetAsync();
    /// <summary>Clears the stored state (ClearStateAsync).</summary>
    [Alias("Clear")]
    Task<CounterSnapshot> ClearAsync();
    /// <summary>Deactivates after this call, so the next call activates anew and reads storage.</summary>
    [Alias("Deactivate")]
    Task DeactivateAsync();
}
