using Agents.Abstractions;
using Agents.Runtime;
using Agents.Runtime.Storage;

namespace Agents.TestSilo;

/// <summary>Records numbered writes durably; a retried write is applied once.</summary>
public interface ILedgerGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="sequence"/>; returns once it is written to the state store.</summary>
    Task AppendAsync(int sequence);
    Task<int[]> EntriesAsync();
    Task<string> WhereAsync();
}

public sealed class LedgerState
{
    public List<int> Entries { get; set; } = [];
}

public sealed class LedgerGrain([PersistentState("ledger")] IPersistentState<LedgerState> ledger) : Grain, ILedgerGrain
{
    public async Task AppendAsync(int sequence)
    {
        if (ledger.State.Entries.Contains(sequence)) return;
        ledger.State.Entries.Add(sequence);
        await ledger.WriteStateAsync();
    }

    public Task<int[]> EntriesAsync() => Task.FromResult(ledger.State.Entries.ToArray());
    public Task<string> WhereAsync() => Task.FromResult(SiloName);
}
