using System.Numerics.Tensors;

namespace Agents.Inference.Attention;

/// <summary>The top-k softmax and readout every reader finishes with.</summary>
internal static class Attention
{
    /// <summary>
    /// Turns the k best cosines (sorted best first) into softmax weights of <c>cos / temperature</c>.
    /// Subtracting the best logit keeps every exponent at most 0, so the sum cannot overflow.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> scores, float temperature, Span<float> weights)
    {
        var best = scores[0];
        for (var i = 0; i < scores.Length; i++)
            weights[i] = (scores[i] - best) / temperature;
        TensorPrimitives.Exp(weights, weights);
        var sum = TensorPrimitives.Sum(weights);
        TensorPrimitives.Divide(weights, sum, weights);
    }

    /// <summary>Adds <c>weight * value</c> into the readout.</summary>
    public static void Accumulate(ReadOnlySpan<float> value, float weight, Span<float> readout) =>
        TensorPrimitives.MultiplyAdd(value, weight, readout, readout);
}
