namespace Agents.Abstractions;

/// <summary>The grain's requests may interleave: while one awaits, another may run. Still only one
/// thread at a time runs the grain's code.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute;
