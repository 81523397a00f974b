namespace Agents.Inference.Attention;

/// <summary>
/// Reusable output buffers of <see cref="IMemoryReader.Read"/> for up to <see cref="Capacity"/> queries:
/// make one per caller (or per worker) and read into it again and again without allocating.
/// </summary>
public sealed class ReadResult
{
    private readonly long[] _ids;
    private readonly float[] _weights;
    private readonly float[] _scores;
    private readonly float[] _readouts;
    private readonly int[] _candidates;

    public ReadResult(int capacity, int k, int valueDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(valueDimension, 1);
        Capacity = capacity;
        K = k;
        ValueDimension = valueDimension;
        _ids = new long[capacity * k];
        _weights = new float[capacity * k];
        _scores = new float[capacity * k];
        _readouts = new float[capacity * valueDimension];
        _candidates = new int[capacity];
    }

    public int Capacity { get; }
    public int K { get; }
    public int ValueDimension { get; }

    /// <summary>Queries in the last read.</summary>
    public int QueryCount { get; internal set; }

    /// <summary>The k memory ids of query <paramref name="query"/>, best first.</summary>
    public ReadOnlySpan<long> Ids(int query) => _ids.AsSpan(Check(query) * K, K);

    /// <summary>The attention weights of those ids (softmax over their logits; they sum to 1).</summary>
    public ReadOnlySpan<float> Weights(int query) => _weights.AsSpan(Check(query) * K, K);

    /// <summary>The cosines of those ids with the query (logit times temperature).</summary>
    public ReadOnlySpan<float> Scores(int query) => _scores.AsSpan(Check(query) * K, K);

    /// <summary>The readout vector: the weighted sum of the returned memories' values.</summary>
    public ReadOnlySpan<float> Readout(int query) => _readouts.AsSpan(Check(query) * ValueDimension, ValueDimension);

    /// <summary>How many memories were scored for the query (the candidate set's size).</summary>
    public int CandidateCount(int query) => _candidates[Check(query)];

    internal Span<long> IdsBuffer(int query) => _ids.AsSpan(query * K, K);
    internal Span<float> WeightsBuffer(int query) => _weights.AsSpan(query * K, K);
    internal Span<float> ScoresBuffer(int query) => _scores.AsSpan(query * K, K);
    internal Span<float> ReadoutBuffer(int query) => _readouts.AsSpan(query * ValueDimension, ValueDimension);
    internal void SetCandidateCount(int query, int count) => _candidates[query] = count;

    internal void EnsureFits(int queries, int k, int valueDimension)
    {
        if (queries > Capacity)
            throw new ArgumentException($"the result holds {Capacity} queries but the batch has {queries}.", "result");
        if (k != K)
            throw new ArgumentException($"the result was made for k = {K} but the read asks for k = {k}.", "result");
        if (valueDimension != ValueDimension)
            throw new DimensionMismatchException("result", ValueDimension, valueDimension);
    }

    private int Check(int query) =>
        (uint)query < (uint)QueryCount ? query : throw new ArgumentOutOfRangeException(nameof(query), query, $"the last read had {QueryCount} queries.");
}
