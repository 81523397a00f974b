namespace Agents.Inference.Attention;

/// <summary>A read was asked of a bank that holds no memories.</summary>
public sealed class EmptyBankException() : InvalidOperationException("the memory bank is empty: insert memories before reading.");
