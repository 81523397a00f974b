namespace Agents.Inference.Attention;

/// <summary>
/// Sparse attention from a batch of queries over a <see cref="IMemoryBank"/>: for each query the top-k
/// memories by cosine, their attention weights and the readout vector.
/// </summary>
/// <remarks>
/// The contract shared by every reader (the exact one is the reference in tests and benchmarks):
/// <list type="bullet">
/// <item>the candidate set of a query is the whole bank (exact reader) or the members of the clusters it
/// probes (routed readers; probing continues past <see cref="ReadOptions.Probes"/> until at least k
/// candidates are seen, so k results always come back);</item>
/// <item>the k best candidates by logit <c>cos(q, key) / temperature</c> are returned best first, ties
/// broken arbitrarily;</item>
/// <item>attention is top-k sparse: the weights are the softmax of those k logits, so they sum to 1, and
/// the readout is <c>sum_i w_i * value_i</c> over the k returned memories.</item>
/// </list>
/// Reads may run concurrently with each other; writes are serialised against reads.
/// </remarks>
public interface IMemoryReader : IMemoryBank, IDisposable
{
    /// <summary>
    /// Reads for <c>b = queries.Length / d</c> queries (row-major <c>b x d</c>) into
    /// <paramref name="result"/>, which must have been made for at least b queries with the same k and
    /// value dimension. Allocates nothing per query.
    /// </summary>
    void Read(ReadOnlySpan<float> queries, ReadOptions options, ReadResult result);
}
