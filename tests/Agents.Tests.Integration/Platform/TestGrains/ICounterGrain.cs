using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>A grain with persistent state on the ADO.NET grain storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds to the value and writes the state.</summary>
    Task<CounterSnapshot> AddAsync(int amount, string note);
    Task<CounterSnapshot> GetAsync();
    /// <summary>Clears the stored state (ClearStateAsync).</summary>
    Task<CounterSnapshot> ClearAsync();
    /// <summary>Deactivates after this call, so the next call activates anew and reads storage.</summary>
    Task DeactivateAsync();
}
