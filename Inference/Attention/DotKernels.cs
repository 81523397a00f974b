using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Agents.Inference.Attention;

/// <summary>
/// Register-blocked dot products: several rows share each load of a query (and several queries each
/// load of a row), which is what makes a dense scan compute-bound instead of load-bound.
/// </summary>
internal static class DotKernels
{
    /// <summary>
    /// Scores one query against <paramref name="rowCount"/> consecutive rows of <paramref name="rows"/>
    /// (row-major, stride <paramref name="dimension"/>) into <paramref name="scores"/>.
    /// </summary>
    public static void ScoreRows(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowCount, int dimension, Span<float> scores)
    {
        var r = 0;
        if (Vector256.IsHardwareAccelerated && dimension % Vector256<float>.Count == 0)
        {
            ref var q = ref MemoryMarshal.GetReference(query);
            ref var m = ref MemoryMarshal.GetReference(rows);
            for (; r + 4 <= rowCount; r += 4)
            {
                Dot1x4(ref q, ref Unsafe.Add(ref m, r * dimension), dimension, out var s0, out var s1, out var s2, out var s3);
                scores[r] = s0; scores[r + 1] = s1; scores[r + 2] = s2; scores[r + 3] = s3;
            }
        }
        for (; r < rowCount; r++)
            scores[r] = TensorPrimitives.Dot(query, rows.Slice(r * dimension, dimension));
    }

    /// <summary>Rows converted from half precision per step: 8 rows of 384 floats stay in L1.</summary>
    public const int HalfRowsPerStep = 8;

    /// <summary>
    /// <see cref="ScoreRows"/> over half-precision rows, widened <see cref="HalfRowsPerStep"/> rows at a time
    /// into <paramref name="scratch"/> (at least <c>HalfRowsPerStep * dimension</c> floats).
    /// </summary>
    public static void ScoreHalfRows(ReadOnlySpan<float> query, ReadOnlySpan<Half> rows, int rowCount, int dimension, Span<float> scores, Span<float> scratch)
    {
        for (var r = 0; r < rowCount; r += HalfRowsPerStep)
        {
            var count = Math.Min(HalfRowsPerStep, rowCount - r);
            var widened = scratch[..(count * dimension)];
            TensorPrimitives.ConvertToSingle(rows.Slice(r * dimension, count * dimension), widened);
            ScoreRows(query, widened, count, dimension, scores[r..]);
        }
    }

    /// <summary>
    /// Scores <paramref name="queryCount"/> queries against <paramref name="rowCount"/> rows:
    /// <c>scores[q * scoreStride + r]</c>.
    /// </summary>
    public static void ScoreBlock(ReadOnlySpan<float> queries, int queryCount, ReadOnlySpan<float> rows, int rowCount, int dimension, Span<float> scores, int scoreStride)
    {
        var qi = 0;
        if (Vector256.IsHardwareAccelerated && dimension % Vector256<float>.Count == 0)
        {
            ref var qs = ref MemoryMarshal.GetReference(queries);
            ref var m = ref MemoryMarshal.GetReference(rows);
            for (; qi + 4 <= queryCount; qi += 4)
            {
                var r = 0;
                for (; r + 4 <= rowCount; r += 4)
                    Dot4x4(ref Unsafe.Add(ref qs, qi * dimension), ref Unsafe.Add(ref m, r * dimension), dimension, scores, qi * scoreStride + r, scoreStride);
                for (; r < rowCount; r++)
                    for (var j = 0; j < 4; j++)
                        scores[(qi + j) * scoreStride + r] = TensorPrimitives.Dot(queries.Slice((qi + j) * dimension, dimension), rows.Slice(r * dimension, dimension));
            }
        }
        for (; qi < queryCount; qi++)
            ScoreRows(queries.Slice(qi * dimension, dimension), rows, rowCount, dimension, scores.Slice(qi * scoreStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x4(ref float q, ref float row0, int d, out float s0, out float s1, out float s2, out float s3)
    {
        ref var row1 = ref Unsafe.Add(ref row0, d);
        ref var row2 = ref Unsafe.Add(ref row1, d);
        ref var row3 = ref Unsafe.Add(ref row2, d);
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero; var a2 = Vector256<float>.Zero; var a3 = Vector256<float>.Zero;
        for (var i = 0; i < d; i += Vector256<float>.Count)
        {
            var x = Vector256.LoadUnsafe(ref q, (nuint)i);
            a0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row0, (nuint)i), a0);
            a1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row1, (nuint)i), a1);
            a2 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row2, (nuint)i), a2);
            a3 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row3, (nuint)i), a3);
        }
        s0 = Vector256.Sum(a0); s1 = Vector256.Sum(a1); s2 = Vector256.Sum(a2); s3 = Vector256.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4x4(ref float q0, ref float row0, int d, Span<float> scores, int offset, int stride)
    {
        ref var q1 = ref Unsafe.Add(ref q0, d);
        ref var q2 = ref Unsafe.Add(ref q1, d);
        ref var q3 = ref Unsafe.Add(ref q2, d);
        ref var row1 = ref Unsafe.Add(ref row0, d);
        ref var row2 = ref Unsafe.Add(ref row1, d);
        ref var row3 = ref Unsafe.Add(ref row2, d);
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector256<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (var i = 0; i < d; i += Vector256<float>.Count)
        {
            var r0 = Vector256.LoadUnsafe(ref row0, (nuint)i);
            var r1 = Vector256.LoadUnsafe(ref row1, (nuint)i);
            var r2 = Vector256.LoadUnsafe(ref row2, (nuint)i);
            var r3 = Vector256.LoadUnsafe(ref row3, (nuint)i);
            var x = Vector256.LoadUnsafe(ref q0, (nuint)i);
            a00 = Vector256.FusedMultiplyAdd(x, r0, a00); a01 = Vector256.FusedMultiplyAdd(x, r1, a01);
            a02 = Vector256.FusedMultiplyAdd(x, r2, a02); a03 = Vector256.FusedMultiplyAdd(x, r3, a03);
            x = Vector256.LoadUnsafe(ref q1, (nuint)i);
            a10 = Vector256.FusedMultiplyAdd(x, r0, a10); a11 = Vector256.FusedMultiplyAdd(x, r1, a11);
            a12 = Vector256.FusedMultiplyAdd(x, r2, a12); a13 = Vector256.FusedMultiplyAdd(x, r3, a13);
            x = Vector256.LoadUnsafe(ref q2, (nuint)i);
            a20 = Vector256.FusedMultiplyAdd(x, r0, a20); a21 = Vector256.FusedMultiplyAdd(x, r1, a21);
            a22 = Vector256.FusedMultiplyAdd(x, r2, a22); a23 = Vector256.FusedMultiplyAdd(x, r3, a23);
            x = Vector256.LoadUnsafe(ref q3, (nuint)i);
            a30 = Vector256.FusedMultiplyAdd(x, r0, a30); a31 = Vector256.FusedMultiplyAdd(x, r1, a31);
            a32 = Vector256.FusedMultiplyAdd(x, r2, a32); a33 = Vector256.FusedMultiplyAdd(x, r3, a33);
        }
        Store(scores, offset, a00, a01, a02, a03);
        Store(scores, offset + stride, a10, a11, a12, a13);
        Store(scores, offset + 2 * stride, a20, a21, a22, a23);
        Store(scores, offset + 3 * stride, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<float> scores, int offset, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        var s = scores.Slice(offset, 4);
        s[0] = Vector256.Sum(a); s[1] = Vector256.Sum(b); s[2] = Vector256.Sum(c); s[3] = Vector256.Sum(d);
    }
}
