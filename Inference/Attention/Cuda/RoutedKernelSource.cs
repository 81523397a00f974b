using System.Globalization;
using System.Text;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// The CUDA C source of the routed reader's kernels, specialised at run time to the key and value
/// dimensions (so the inner loops have constant trip counts) and compiled by NVRTC.
/// </summary>
/// <remarks>
/// Every kernel is one thread per output with no shared memory and no barriers: simple enough that a
/// host compiler can build the same source as C (the prelude maps the CUDA qualifiers away) and a test can
/// run it by looping over the grid, checking the kernels' arithmetic without a device. Entry points are
/// <c>extern "C"</c> so <c>cuModuleGetFunction</c> finds them by their plain names.
/// </remarks>
public static class RoutedKernelSource
{
    public const string ScoreCentroids = "agents_score_centroids";
    public const string ScoreCandidates = "agents_score_candidates";
    public const string Readout = "agents_readout";

    /// <summary>Threads per block of every launch (a multiple of the warp size).</summary>
    public const int BlockSize = 128;

    public static IReadOnlyList<string> EntryPoints { get; } = [ScoreCentroids, ScoreCandidates, Readout];

    public static string Generate(int dimension, int valueDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(valueDimension, 1);
        var source = new StringBuilder();
        source.Append(CultureInfo.InvariantCulture, $$"""
            // Agents routed memory reader kernels: d = {{dimension}}, dv = {{valueDimension}}. Generated; do not edit.
            #ifndef __CUDACC__
            /* Host build (tests): CUDA qualifiers mean nothing, the grid indices are globals set by the caller. */
            #define __global__
            #define __restrict__ restrict
            typedef struct { unsigned int x, y, z; } uint3;
            extern uint3 blockIdx, blockDim, threadIdx, gridDim;
            #endif

            #define AGENTS_DIM {{dimension}}
            #define AGENTS_VALUE_DIM {{valueDimension}}

            #ifdef __cplusplus
            extern "C" {
            #endif

            /* scores[q * c + j] = dot(queries[q], centroids[j]); one thread per (q, j). */
            __global__ void {{ScoreCentroids}}(const float* __restrict__ queries, const float* __restrict__ centroids,
                                             float* __restrict__ scores, int b, int c)
            {
                long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
                if (t >= (long long)b * c) return;
                int q = (int)(t / c), j = (int)(t % c);
                const float* x = queries + (long long)q * AGENTS_DIM;
                const float* y = centroids + (long long)j * AGENTS_DIM;
                float s = 0.0f;
                for (int i = 0; i < AGENTS_DIM; i++) s += x[i] * y[i];
                scores[t] = s;
            }

            /* For probe item p (a query and a cluster's contiguous row range), block p's threads stride over the
               rows: scores[out[p] + r] = dot(queries[query[p]], keys[first[p] + r]) for r < count[p]. */
            __global__ void {{ScoreCandidates}}(const float* __restrict__ queries, const float* __restrict__ keys,
                                              const int* __restrict__ item_query, const int* __restrict__ item_first,
                                              const int* __restrict__ item_count, const int* __restrict__ item_out,
                                              float* __restrict__ scores, int items)
            {
                int p = blockIdx.x;
                if (p >= items) return;
                const float* x = queries + (long long)item_query[p] * AGENTS_DIM;
                for (int r = threadIdx.x; r < item_count[p]; r += blockDim.x)
                {
                    const float* y = keys + ((long long)item_first[p] + r) * AGENTS_DIM;
                    float s = 0.0f;
                    for (int i = 0; i < AGENTS_DIM; i++) s += x[i] * y[i];
                    scores[item_out[p] + r] = s;
                }
            }

            /* out[q * dv + t] = sum_i weights[q * k + i] * values[rows[q * k + i] * dv + t]; one thread per (q, t). */
            __global__ void {{Readout}}(const float* __restrict__ values, const int* __restrict__ rows,
                                      const float* __restrict__ weights, float* __restrict__ out, int b, int k)
            {
                long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
                if (t >= (long long)b * AGENTS_VALUE_DIM) return;
                int q = (int)(t / AGENTS_VALUE_DIM), e = (int)(t % AGENTS_VALUE_DIM);
                float s = 0.0f;
                for (int i = 0; i < k; i++)
                    s += weights[q * k + i] * values[(long long)rows[q * k + i] * AGENTS_VALUE_DIM + e];
                out[t] = s;
            }

            #ifdef __cplusplus
            }
            #endif

            """);
        return source.ToString();
    }

    /// <summary>Blocks for one thread per output over <paramref name="outputs"/> outputs.</summary>
    public static uint Blocks(long outputs) => checked((uint)((outputs + BlockSize - 1) / BlockSize));
}
