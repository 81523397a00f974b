using System.Numerics.Tensors;

namespace Agents.Inference.Attention;

/// <summary>Validation and normalisation shared by every reader: each bad input gets a specific error.</summary>
internal static class VectorChecks
{
    /// <summary>Checks a key or query (length, finite, non-zero) and writes its unit-length copy.</summary>
    public static void NormalizeInto(ReadOnlySpan<float> source, Span<float> destination, string paramName, int row = -1)
    {
        if (source.Length != destination.Length)
            throw new DimensionMismatchException(paramName, destination.Length, source.Length);
        var squared = TensorPrimitives.Dot(source, source);
        if (!float.IsFinite(squared))
        {
            ThrowIfNonFinite(source, paramName, row);
            // Finite elements whose squares overflow: scale first.
            var scale = TensorPrimitives.MaxMagnitude(source);
            TensorPrimitives.Divide(source, scale, destination);
            squared = TensorPrimitives.Dot(destination, destination);
            TensorPrimitives.Divide(destination, MathF.Sqrt(squared), destination);
            return;
        }
        if (squared == 0 || !float.IsNormal(MathF.Sqrt(squared)))
            throw new NonFiniteValueException(paramName, $"{Where(paramName, row)} has zero length and has no direction.");
        TensorPrimitives.Divide(source, MathF.Sqrt(squared), destination);
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN or infinite element.</summary>
    public static void ThrowIfNonFinite(ReadOnlySpan<float> values, string paramName, int row = -1)
    {
        // A finite sum and a finite sum of squares prove every element finite: a vectorised first pass.
        if (float.IsFinite(TensorPrimitives.Sum(values)) && TensorPrimitives.Dot(values, values) is var s && float.IsFinite(s))
            return;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new NonFiniteValueException(paramName,
                    $"{Where(paramName, row)} holds {(float.IsNaN(values[i]) ? "NaN" : "an infinite value")} at element {i}.");
        }
    }

    /// <summary>Checks a value vector's length and that it is finite.</summary>
    public static void CheckValue(ReadOnlySpan<float> value, int valueDimension, string paramName, int row = -1)
    {
        if (value.Length != valueDimension)
            throw new DimensionMismatchException(paramName, valueDimension, value.Length);
        ThrowIfNonFinite(value, paramName, row);
    }

    /// <summary>Checks a batch's length is a whole number of rows and returns the row count.</summary>
    public static int Rows(int length, int dimension, string paramName)
    {
        if (length == 0 || length % dimension != 0)
            throw new DimensionMismatchException(
                $"dimension mismatch in '{paramName}': {length} floats is not a positive whole number of rows of dimension {dimension}.", paramName);
        return length / dimension;
    }

    private static string Where(string paramName, int row) => row < 0 ? $"'{paramName}'" : $"row {row} of '{paramName}'";
}
