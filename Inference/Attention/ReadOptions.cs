namespace Agents.Inference.Attention;

/// <summary>How a read is made.</summary>
/// <param name="K">Memories returned per query (1 or more, at most the bank's size).</param>
/// <param name="Probes">Clusters each query probes (routed readers; the exact reader ignores it).</param>
/// <param name="Temperature">Softmax temperature: logits are cosines divided by it (positive, finite).</param>
public readonly record struct ReadOptions(int K, int Probes = 8, float Temperature = 0.1f)
{
    /// <summary>Checks what does not depend on the bank.</summary>
    internal void ValidateShape()
    {
        if (K < 1) throw new ArgumentOutOfRangeException(nameof(K), K, $"k must be at least 1 (was {K}).");
        if (Probes < 1) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, $"probes must be at least 1 (was {Probes}).");
        if (!float.IsFinite(Temperature) || Temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"temperature must be positive and finite (was {Temperature}).");
    }

    /// <summary>Checks the options against a bank of <paramref name="bankCount"/> memories.</summary>
    internal void Validate(int bankCount)
    {
        ValidateShape();
        if (bankCount == 0) throw new EmptyBankException();
        if (K > bankCount)
            throw new ArgumentOutOfRangeException(nameof(K), K, $"k = {K} is larger than the bank, which holds {bankCount} memories.");
    }
}
