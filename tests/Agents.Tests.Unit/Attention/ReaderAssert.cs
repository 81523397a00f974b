using Agents.Inference.Attention;

namespace Agents.Tests.Unit.Attention;

internal static class ReaderAssert
{
    /// <summary>
    /// The contract for one query: scores sorted best first, weights the softmax of score/temperature and
    /// summing to 1, the readout the weighted sum of the returned ids' values.
    /// </summary>
    public static void ContractHolds(ReadResult result, int q, Func<long, float[]> valueOf, float temperature)
    {
        var ids = result.Ids(q);
        var weights = result.Weights(q);
        var scores = result.Scores(q);
        Assert.Equal(ids.Length, ids.ToArray().Distinct().Count());
        for (var i = 1; i < scores.Length; i++) Assert.True(scores[i - 1] >= scores[i], $"scores not sorted at {i}");
        Assert.Equal(1.0, weights.ToArray().Sum(w => (double)w), 1e-5);
        var max = scores[0];
        var z = scores.ToArray().Sum(s => Math.Exp((s - max) / temperature));
        for (var i = 0; i < weights.Length; i++)
            Assert.Equal(Math.Exp((scores[i] - max) / temperature) / z, weights[i], 1e-4);
        var readout = result.Readout(q);
        var expected = new double[readout.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            var value = valueOf(ids[i]);
            for (var t = 0; t < value.Length; t++) expected[t] += weights[i] * value[t];
        }
        for (var t = 0; t < readout.Length; t++) Assert.Equal(expected[t], readout[t], 1e-4);
    }
}
