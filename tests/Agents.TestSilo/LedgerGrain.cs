using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Agents.TestSilo;

public sealed class LedgerGrain([PersistentState("ledger")] IPersistentState<LedgerState> ledger, IOptions<SiloOptions> silo) : Grain, ILedgerGrain
{
    public async Task AppendAsync(int sequence)
    {
        if (ledger.State.Entries.Contains(sequence)) return;
        ledger.State.Entries.Add(sequence);
        await ledger.WriteStateAsync();
    }

    public Task<int[]> EntriesAsync() => Task.FromResult(ledger.State.Entries.ToArray());

    public Task<string> WhereAsync() => Task.FromResult(silo.Value.SiloName);
}
