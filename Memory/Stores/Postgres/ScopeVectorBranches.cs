using System.Collections.Concurrent;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// Which branch each scope's vector search took last, so that the next one sends that branch alone. The
/// server plans a search for every execution (a generic plan would fix one access path for scopes of every
/// size), and each mention of <c>memory_records</c> is planned with all the table's indexes: with both
/// branches a search took ~0.9 ms to plan, of ~2.5 ms on 100,000 rows; the exact pass alone ~0.7 ms, the
/// index alone ~0.55. The statement still checks the scope's size, so a wrong guess (the scope grew past
/// the threshold, or shrank below it) costs a round trip, never a wrong answer: it returns a row of nulls,
/// and the search goes again with both branches.
/// </summary>
internal sealed class ScopeVectorBranches
{
    // Scopes remembered as large; past this many, forgotten all at once (each then costs one retry at most).
    private const int MaxScopes = 10_000;

    private readonly ConcurrentDictionary<string, bool> _large = new(StringComparer.Ordinal);

    /// <summary>The branch to send for the scope under <paramref name="key"/>: the exact pass unless the
    /// scope was found large (most scopes are small).</summary>
    public VectorSearchBranch Guess(string key) => _large.ContainsKey(key) ? VectorSearchBranch.Index : VectorSearchBranch.Exact;

    /// <summary>The statement sent with <paramref name="sent"/> handed the search over: the scope is of the other size.</summary>
    public void HandedOver(string key, VectorSearchBranch sent)
    {
        if (sent == VectorSearchBranch.Exact)
        {
            if (_large.Count >= MaxScopes) _large.Clear();
            _large[key] = true;
        }
        else if (sent == VectorSearchBranch.Index)
        {
            _large.TryRemove(key, out _);
        }
    }
}
