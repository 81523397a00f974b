namespace Agents.Bench;

/// <summary>A suite was given an option it does not know or a value it cannot read: reported as a
/// one-line usage error (exit code 2), not as a crash.</summary>
public sealed class BenchUsageException(string message) : Exception(message);
