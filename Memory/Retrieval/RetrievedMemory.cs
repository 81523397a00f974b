using Agents.Memory.Model;

namespace Agents.Memory.Retrieval;

/// <summary>
/// One signal's view of a hit: its raw score (cosine, BM25, or propagated graph score),
/// the query-feature boost applied to it, and its 1-based rank in that signal's list (null: not in it).
/// </summary>
public readonly record struct SignalScore(double Raw, double Boost, int Rank);

/// <summary>A retrieval hit: the record (whose <see cref="MemoryRecord.Sources"/> name the turns or
/// messages it came from), its fused score, and each signal's contribution.</summary>
public sealed record RetrievedMemory(MemoryRecord Record, double Score)
{
    public SignalScore? Vector { get; init; }
    public SignalScore? Text { get; init; }

    /// <summary>Full text over the content alone (<see cref="Stores.TextField.Content"/>).</summary>
    public SignalScore? ContentText { get; init; }
    public SignalScore? Graph { get; init; }

    /// <summary>The ids of the messages or turns the memory came from, in order.</summary>
    public IReadOnlyList<string> Sources => Record.Sources;
}
