namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// A stretch of work (a pipeline job; the jobs of one claim) whose reads of held scopes share one epoch check per scope: the
/// first read checks, later ones reuse that epoch (and the lexemes already asked for), so they see the
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
    private readonly Dictionary<CachedScope, (long Epoch, Dictionary<string, string[]> Lexemes)> _checked = [];
    private readonly Dictionary<CachedScope, Task<(long Epoch, IReadOnlyDictionary<string, string[]> Lexemes)>> _pending = [];

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

    /// <summary>The epoch checked for <paramref name="copy"/> in this stretch and the lexemes of
    /// <paramref name="texts"/>, when every one of them is known.</summary>
    public bool TryGet(CachedScope copy, IReadOnlyList<string> texts, out long epoch, out string[][] lexemes)
    {
        lock (_gate)
        {
            epoch = 0;
            lexemes = [];
            if (!_checked.TryGetValue(copy, out var known)) return false;
            var found = new string[texts.Count][];
            for (var i = 0; i < texts.Count; i++)
                if (!known.Lexemes.TryGetValue(texts[i], out found[i]!)) return false;
            (epoch, lexemes) = (known.Epoch, found);
            return true;
        }
    }

    /// <summary>The check of <paramref name="copy"/> this stretch has under way, if any (a read that needs
    /// no lexemes waits for it rather than sending another).</summary>
    public Task<(long Epoch, IReadOnlyDictionary<string, string[]> Lexemes)>? Pending(CachedScope copy)
    {
        lock (_gate) return _pending.GetValueOrDefault(copy) is { IsFaulted: false, IsCanceled: false } task ? task : null;
    }

    /// <summary>A check of <paramref name="copy"/> this stretch sent or joined.</summary>
    public void Started(CachedScope copy, Task<(long Epoch, IReadOnlyDictionary<string, string[]> Lexemes)> check)
    {
        lock (_gate) _pending[copy] = check;
    }

    /// <summary>Keeps a check's answer for the reads after it (the latest epoch; every lexeme asked for).</summary>
    public void Remember(CachedScope copy, long epoch, IReadOnlyList<string> texts, string[][] lexemes)
    {
        lock (_gate)
        {
            if (!_checked.TryGetValue(copy, out var known)) known = (epoch, new Dictionary<string, string[]>(StringComparer.Ordinal));
            known.Epoch = Math.Max(known.Epoch, epoch);
            for (var i = 0; i < texts.Count; i++) known.Lexemes[texts[i]] = lexemes[i];
            _checked[copy] = known;
        }
    }

    /// <summary>A write of this stretch moved <paramref name="copy"/>'s key to <paramref name="epoch"/>: later
    /// reads need the copy at least that far (it is, once it applied the write; else they reload).</summary>
    public void Advance(CachedScope copy, long epoch)
    {
        lock (_gate)
            if (_checked.TryGetValue(copy, out var known) && known.Epoch < epoch) _checked[copy] = (epoch, known.Lexemes);
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
