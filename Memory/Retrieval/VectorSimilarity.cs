using System.Numerics.Tensors;

namespace Agents.Memory.Retrieval;

/// <summary>Cosine similarity as every ranking here wants it: a number, never NaN.</summary>
public static class VectorSimilarity
{
    /// <summary>The cosine of the two vectors; 0 when either is missing or empty, their lengths differ,
    /// or either has no direction (a zero vector).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.IsEmpty || a.Length != b.Length) return 0;
        var cosine = TensorPrimitives.CosineSimilarity(a, b);
        return float.IsFinite(cosine) ? cosine : 0;
    }
}
