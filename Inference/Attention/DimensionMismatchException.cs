namespace Agents.Inference.Attention;

/// <summary>A vector (or a batch of them) does not have the dimension the bank was made for.</summary>
public sealed class DimensionMismatchException : ArgumentException
{
    public DimensionMismatchException(string paramName, int expected, int actual)
        : base($"dimension mismatch in '{paramName}': expected {expected}, got {actual}.", paramName)
    {
        Expected = expected;
        Actual = actual;
    }

    public DimensionMismatchException(string message, string paramName) : base(message, paramName) { }

    public int Expected { get; }
    public int Actual { get; }
}
