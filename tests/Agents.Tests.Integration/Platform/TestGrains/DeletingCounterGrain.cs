using Orleans;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>The same on a storage configured with DeleteStateOnClear (a clear deletes the row).</summary>
public sealed class DeletingCounterGrain([PersistentState("deleting-counter", OrleansOnPostgres.DeletingStorageName)] IPersistentState<StoredCounterState> state)
    : CounterGrainBase(state), IDeletingCounterGrain;
