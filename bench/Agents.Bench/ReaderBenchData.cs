namespace Agents.Bench;

/// <summary>
/// The reader benchmark's data, made by the benchmark itself: a Gaussian mixture on the sphere
/// (clustered) or uniform directions (the worst case for routing), and queries that are perturbed
/// memories or fresh random draws. Rows are unit length, generated in parallel blocks with their own seeds.
/// </summary>
internal sealed class ReaderBenchData
{
    private const int BlockRows = 4096;

    private ReaderBenchData(string name, int dimension, float[] vectors, float[]? centres, float spread, int seed)
    {
        Name = name;
        Dimension = dimension;
        Vectors = vectors;
        _centres = centres;
        _spread = spread;
        _seed = seed;
    }

    private readonly float[]? _centres;
    private readonly float _spread;
    private readonly int _seed;

    public string Name { get; }
    public int Dimension { get; }
    public float[] Vectors { get; }
    public int Count => Vectors.Length / Dimension;

    public static ReaderBenchData Clustered(int n, int d, int components, float spread, int seed)
    {
        var centres = new float[components * d];
        Fill(centres, components, d, seed ^ 0x5eed, (row, random, span) => Gaussian(random, span, 1f));
        var data = new ReaderBenchData($"mixture({components} on the sphere, spread {spread})", d, new float[checked(n * d)], centres, spread, seed);
        data.Sample(data.Vectors, n, seed);
        return data;
    }

    public static ReaderBenchData Uniform(int n, int d, int seed)
    {
        var data = new ReaderBenchData("uniform directions", d, new float[checked(n * d)], null, 0, seed);
        data.Sample(data.Vectors, n, seed);
        return data;
    }

    /// <summary>Queries near memories: memory + noise (norm <paramref name="noise"/>), normalised.</summary>
    public float[] PerturbedQueries(int count, int bankSize, float noise, int seed)
    {
        var d = Dimension;
        var queries = new float[count * d];
        var random = new Random(seed);
        for (var q = 0; q < count; q++)
        {
            var row = queries.AsSpan(q * d, d);
            Gaussian(random, row, noise / MathF.Sqrt(d));
            var memory = Vectors.AsSpan(random.Next(bankSize) * d, d);
            for (var t = 0; t < d; t++) row[t] += memory[t];
            Normalise(row);
        }
        return queries;
    }

    /// <summary>Queries drawn from the data's own distribution (fresh mixture samples, or uniform directions).</summary>
    public float[] RandomQueries(int count, int seed)
    {
        var queries = new float[count * Dimension];
        Sample(queries, count, seed);
        return queries;
    }

    private void Sample(float[] destination, int rows, int seed)
    {
        var d = Dimension;
        Fill(destination, rows, d, seed, (row, random, span) =>
        {
            if (_centres is null)
            {
                Gaussian(random, span, 1f);
            }
            else
            {
                Gaussian(random, span, _spread / MathF.Sqrt(d));
                var centre = _centres.AsSpan(random.Next(_centres.Length / d) * d, d);
                for (var t = 0; t < d; t++) span[t] += centre[t];
            }
        });
    }

    private static void Fill(float[] destination, int rows, int d, int seed, Action<int, Random, Span<float>> make)
    {
        var blocks = (rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, block =>
        {
            var random = new Random(HashCode.Combine(seed, block));
            var end = Math.Min(rows, (block + 1) * BlockRows);
            for (var r = block * BlockRows; r < end; r++)
            {
                var span = destination.AsSpan(r * d, d);
                make(r, random, span);
                Normalise(span);
            }
        });
    }

    private static void Gaussian(Random random, Span<float> span, float scale)
    {
        for (var i = 0; i < span.Length; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2 * Math.Log(u1)) * scale;
            span[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < span.Length) span[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
        }
    }

    private static void Normalise(Span<float> span)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(span, span));
        System.Numerics.Tensors.TensorPrimitives.Divide(span, norm, span);
    }
}
