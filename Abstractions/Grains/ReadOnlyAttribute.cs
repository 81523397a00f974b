namespace Agents.Abstractions;

/// <summary>On a grain interface method: the method does not change the grain's state, so calls to
/// read-only methods may interleave with each other (never with other methods).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ReadOnlyAttribute : Attribute;
