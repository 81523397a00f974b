namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// A stretch of work (a pipeline job; the jobs of one claim) whose reads of held scopes share one epoch check per scope: the
/// first read checks, later ones reuse that epoch, so they see the
/// scope as it was at that check plus this process's own writes since (a write advances the epoch the
/// reads after it need), as a snapshot would. A job's
/// writes check the versions they read, so a stale read fails its write; any conflict drops the
/// stretch's checks (<see cref="Forget"/>), and the reads after it check again. Flows with the async
/// context (<see cref="Current"/>); thread-safe, as a job's stages read at once.
/// </summary>
internal sealed class SharedChecks : IDisposable
{
    private static readonly AsyncLocal<SharedChecks?> Ambient = new();

    private readonly SharedChecks? _outer;
    private readonly Lock _gate = new();
    private readonly Dictionary<CachedScope, long> _checked = [];
    private readonly Dictionary<CachedScope, Task<long>> _pending = [];

    private SharedChecks(SharedChecks? outer) => _outer = outer;

    /// <summary>The stretch the current async flow is in, if any.</summary>
    public static SharedChecks? Current => Ambient.Value;

    /// <summary>Starts a stretch in the current async flow (and the tasks it starts) until disposed. It takes
    /// over the checks of the stretch it starts in, which has none left until this one ends: a scope's job
    /// claim checks the scope in its own round trip, and the job's stretch starts from that check (made just
    /// before it); the jobs of one claim run one after another, each from where the one before left the scope.</summary>
    public static SharedChecks Begin()
    {
        var outer = Ambient.Value;
        var stretch = new SharedChecks(outer);
        if (outer is not null)
        {
            lock (outer._gate)
            {
                foreach (var (copy, known) in outer._checked) stretch._checked[copy] = known;
                outer._checked.Clear();
                outer._pending.Clear();
            }
        }
        return Ambient.Value = stretch;
    }

    /// <summary>The epoch checked for <paramref name="copy"/> in this stretch, if it was.</summary>
    public bool TryGet(CachedScope copy, out long epoch)
    {
        lock (_gate) return _checked.TryGetValue(copy, out epoch);
    }

    /// <summary>The check of <paramref name="copy"/> this stretch has under way, if any (a read waits for it
    /// rather than sending another).</summary>
    public Task<long>? Pending(CachedScope copy)
    {
        lock (_gate) return _pending.GetValueOrDefault(copy) is { IsFaulted: false, IsCanceled: false } task ? task : null;
    }

    /// <summary>A check of <paramref name="copy"/> this stretch sent or joined.</summary>
    public void Started(CachedScope copy, Task<long> check)
    {
        lock (_gate) _pending[copy] = check;
    }

    /// <summary>Keeps a check's answer for the reads after it (the latest epoch).</summary>
    public void Remember(CachedScope copy, long epoch)
    {
        lock (_gate) _checked[copy] = _checked.TryGetValue(copy, out var known) ? Math.Max(known, epoch) : epoch;
    }

    /// <summary>A write of this stretch moved <paramref name="copy"/>'s key to <paramref name="epoch"/>: later
    /// reads need the copy at least that far (it is, once it applied the write; else they reload).</summary>
    public void Advance(CachedScope copy, long epoch)
    {
        lock (_gate)
            if (_checked.TryGetValue(copy, out var known) && known < epoch) _checked[copy] = epoch;
    }

    /// <summary>Drops every check: the reads after this one ask the database again.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _checked.Clear();
            _pending.Clear();
        }
    }

    /// <summary>Ends the stretch. The stretch it started in goes on from where this one ended: it takes back
    /// the checks (as advanced by this stretch's writes) that no conflict dropped.</summary>
    public void Dispose()
    {
        if (Ambient.Value == this) Ambient.Value = _outer;
        if (_outer is not null)
        {
            lock (_gate)
            lock (_outer._gate)
                foreach (var (copy, known) in _checked) _outer._checked[copy] = known;
        }
        Forget();
    }
}
