namespace Agents.TestSilo;

/// <summary>Records numbered writes durably (grain state); a retried write is applied once.</summary>
[Alias("Agents.TestSilo.ILedgerGrain")]
public interface ILedgerGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="sequence"/>; returns once it is written to grain storage.</summary>
    [Alias("Append")]
    Task AppendAsync(int sequence);

    [Alias("Entries")]
    Task<int[]> EntriesAsync();

    /// <summary>The silo the activation runs on (its name).</summary>
    [Alias("Where")]
    Task<string> WhereAsync();
}
