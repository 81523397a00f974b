using System.Diagnostics;
using System.Runtime.InteropServices;
using Agents.Inference.Attention.Cuda;
using Xunit.Abstractions;

namespace Agents.Tests.Unit.Attention;

/// <summary>
/// The generated CUDA source, checked without a device: its shape, and its arithmetic by building it as C
/// with the host compiler (gcc) behind a harness that runs every block and thread of a launch in turn.
/// </summary>
public sealed class RoutedKernelSourceTests(ITestOutputHelper output) : IDisposable
{
    private const int D = 24, Dv = 5;
    private readonly string _directory = Directory.CreateTempSubdirectory("agents-kernels-").FullName;
    private IntPtr _library;

    [Fact]
    public void Source_declares_extern_C_entry_points_specialised_to_the_dimensions()
    {
        var source = RoutedKernelSource.Generate(384, 17);
        Assert.Contains("extern \"C\" {", source);
        Assert.Contains("#define AGENTS_DIM 384", source);
        Assert.Contains("#define AGENTS_VALUE_DIM 17", source);
        foreach (var entry in RoutedKernelSource.EntryPoints)
            Assert.Contains($"__global__ void {entry}(", source);
        Assert.DoesNotContain("__syncthreads", source); // one thread per output: the host harness relies on it
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutedKernelSource.Generate(0, 4));
    }

    [Fact]
    public void Kernels_compute_scores_and_readouts_when_built_as_C()
    {
        var random = new Random(TestVectors.FreshSeed());
        float[] Vector(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Build();

        // Centroid scores: one thread per (query, centroid).
        const int b = 3, c = 7;
        var queries = Vector(b * D);
        var centroids = Vector(c * D);
        var scores = new float[b * c];
        Get<ScoreCentroidsGrid>("grid_score_centroids")(queries, centroids, scores, b, c, RoutedKernelSource.Blocks(b * c), RoutedKernelSource.BlockSize);
        for (var q = 0; q < b; q++)
            for (var j = 0; j < c; j++)
                Assert.Equal(Dot(queries, q, centroids, j), scores[q * c + j], 4);

        // Candidate scores: a block per (query, cluster range) item, threads striding over the rows.
        var keys = Vector(300 * D);
        int[] itemQuery = [0, 2, 1], itemFirst = [10, 0, 150], itemCount = [5, 200, 1], itemOut = [0, 5, 205];
        var candidateScores = new float[206];
        Get<ScoreCandidatesGrid>("grid_score_candidates")(queries, keys, itemQuery, itemFirst, itemCount, itemOut, candidateScores, 3, 3, RoutedKernelSource.BlockSize);
        for (var p = 0; p < 3; p++)
            for (var r = 0; r < itemCount[p]; r++)
                Assert.Equal(Dot(queries, itemQuery[p], keys, itemFirst[p] + r), candidateScores[itemOut[p] + r], 4);

        // Readout: one thread per (query, value element).
        const int k = 4;
        var values = Vector(50 * Dv);
        var rows = Enumerable.Range(0, b * k).Select(_ => random.Next(50)).ToArray();
        var weights = Vector(b * k);
        var readout = new float[b * Dv];
        Get<ReadoutGrid>("grid_readout")(values, rows, weights, readout, b, k, RoutedKernelSource.Blocks(b * Dv), RoutedKernelSource.BlockSize);
        for (var q = 0; q < b; q++)
            for (var t = 0; t < Dv; t++)
                Assert.Equal(Enumerable.Range(0, k).Sum(i => weights[q * k + i] * values[rows[q * k + i] * Dv + t]), readout[q * Dv + t], 4);
    }

    private static float Dot(float[] a, int row, float[] b, int other)
    {
        var s = 0f;
        for (var i = 0; i < D; i++) s += a[row * D + i] * b[other * D + i];
        return s;
    }

    private void Build()
    {
        File.WriteAllText(Path.Combine(_directory, "kernels.c"), RoutedKernelSource.Generate(D, Dv));
        File.WriteAllText(Path.Combine(_directory, "harness.c"), $$"""
            #include "kernels.c"
            uint3 blockIdx, blockDim, threadIdx, gridDim;
            static void grid(unsigned blocks, unsigned threads) { gridDim.x = blocks; blockDim.x = threads; gridDim.y = gridDim.z = blockDim.y = blockDim.z = 1; }
            #define FOR_EACH_THREAD(blocks, threads) grid(blocks, threads); \
                for (blockIdx.x = 0; blockIdx.x < (blocks); blockIdx.x++) for (threadIdx.x = 0; threadIdx.x < (threads); threadIdx.x++)
            void grid_score_centroids(const float* q, const float* c, float* s, int b, int nc, unsigned blocks, unsigned threads)
            { FOR_EACH_THREAD(blocks, threads) {{RoutedKernelSource.ScoreCentroids}}(q, c, s, b, nc); }
            void grid_score_candidates(const float* q, const float* keys, const int* iq, const int* ifirst, const int* icount, const int* iout,
                                       float* s, int items, unsigned blocks, unsigned threads)
            { FOR_EACH_THREAD(blocks, threads) {{RoutedKernelSource.ScoreCandidates}}(q, keys, iq, ifirst, icount, iout, s, items); }
            void grid_readout(const float* v, const int* rows, const float* w, float* out, int b, int k, unsigned blocks, unsigned threads)
            { FOR_EACH_THREAD(blocks, threads) {{RoutedKernelSource.Readout}}(v, rows, w, out, b, k); }
            """);
        var library = Path.Combine(_directory, "libkernels.so");
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-std=c11", "-O1", "-Wall", "-Werror", "-shared", "-fPIC", "-o", library, "harness.c"])
        {
            WorkingDirectory = _directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("gcc did not start");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        output.WriteLine(errors);
        Assert.True(gcc.ExitCode == 0, $"the generated source does not compile as C: {errors}");
        _library = NativeLibrary.Load(library);
    }

    private T Get<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_library, name));

    public void Dispose()
    {
        if (_library != IntPtr.Zero) NativeLibrary.Free(_library);
        Directory.Delete(_directory, recursive: true);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ScoreCentroidsGrid(float[] queries, float[] centroids, float[] scores, int b, int c, uint blocks, uint threads);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ScoreCandidatesGrid(float[] queries, float[] keys, int[] itemQuery, int[] itemFirst, int[] itemCount, int[] itemOut, float[] scores, int items, uint blocks, uint threads);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ReadoutGrid(float[] values, int[] rows, float[] weights, float[] readout, int b, int k, uint blocks, uint threads);
}
