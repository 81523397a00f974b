using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// A store that can keep a scope in process while its owner works on it (the PostgreSQL store's scope
/// cache). The owner of a scope, its memory grain, holds it while active; reads whose filter names
/// exactly that scope are then answered in process, after one check that nothing changed it elsewhere.
/// Holding changes no result, only where it is computed.
/// </summary>
public interface IScopeHolder
{
    /// <summary>Keeps <paramref name="scope"/> (as a filter: every record it contains) in process until
    /// the returned handle is disposed. Holds of one scope are counted; the copy is loaded on first use.</summary>
    IDisposable HoldScope(MemoryScope scope);

    /// <summary>
    /// Until the handle is disposed, reads of held scopes in the current async flow (and the tasks it
    /// starts) share one check per scope: they see the scope as at the first read's check, plus this
    /// process's own writes, as a snapshot would. For a stretch whose writes check what it read (a
    /// pipeline job: a stale read fails its write); a write conflict ends the sharing of the checks so far.
    /// </summary>
    IDisposable ShareChecks();

    /// <summary>
    /// The check of its held scope that <paramref name="job"/>'s claim made in its own round trip counts for
    /// the current stretch (<see cref="ShareChecks"/>): claims are sent ahead, outside the stretch of the
    /// jobs they claim, so a job's first read need not check again. The check is as new as the claim,
    /// which is all the job's reads need (its input was written before the job could be claimed).
    /// </summary>
    void AdoptCheck(MemoryJob job);
}
