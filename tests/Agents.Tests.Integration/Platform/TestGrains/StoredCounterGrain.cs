using Orleans;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Counter state "stored-counter" on the default ADO.NET storage (a clear keeps the row).</summary>
public sealed class StoredCounterGrain([PersistentState("stored-counter", OrleansOnPostgres.StorageName)] IPersistentState<StoredCounterState> state)
    : CounterGrainBase(state), IStoredCounterGrain;
