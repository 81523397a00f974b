namespace Agents.Tests.Unit.Attention;

/// <summary>Fresh random data for the reader tests: a Gaussian mixture on the sphere, and helpers.</summary>
internal sealed class TestVectors(int seed)
{
    private readonly Random _random = new(seed);

    public static int FreshSeed() => Random.Shared.Next();

    /// <summary>n points of a mixture of <paramref name="components"/> Gaussians around random unit centres.</summary>
    public float[] Clustered(int n, int d, int components, float spread, out float[] centres)
    {
        centres = Gaussian(components, d, 1f);
        Normalise(centres, d);
        var data = new float[n * d];
        for (var i = 0; i < n; i++)
        {
            var c = _random.Next(components);
            for (var t = 0; t < d; t++) data[i * d + t] = centres[c * d + t] + spread * NextGaussian() / MathF.Sqrt(d);
        }
        Normalise(data, d);
        return data;
    }

    public float[] Gaussian(int n, int d, float scale)
    {
        var data = new float[n * d];
        for (var i = 0; i < data.Length; i++) data[i] = scale * NextGaussian();
        return data;
    }

    /// <summary>Queries near memories: a memory plus noise.</summary>
    public float[] Perturbed(float[] data, int d, int count, float noise)
    {
        var n = data.Length / d;
        var queries = new float[count * d];
        for (var q = 0; q < count; q++)
        {
            var i = _random.Next(n);
            for (var t = 0; t < d; t++) queries[q * d + t] = data[i * d + t] + noise * NextGaussian() / MathF.Sqrt(d);
        }
        Normalise(queries, d);
        return queries;
    }

    public int Next(int max) => _random.Next(max);

    public static void Normalise(float[] data, int d)
    {
        for (var i = 0; i < data.Length / d; i++)
        {
            var row = data.AsSpan(i * d, d);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }
    }

    public static long[] Ids(int n, long first = 1000) => Enumerable.Range(0, n).Select(i => first + i).ToArray();

    private float NextGaussian()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
