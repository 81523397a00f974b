namespace Agents.Cli;

/// <summary>Bad input given to a command (a file, a line of it): reported as is, exit code 2.</summary>
public sealed class CliInputException(string message) : Exception(message);
