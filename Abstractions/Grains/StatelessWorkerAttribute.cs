namespace Agents.Abstractions;

/// <summary>The grain keeps no identity-bound state: each silo may run up to <see cref="MaxLocalWorkers"/>
/// activations of one key (0 = processor count), none registered in the directory; calls prefer a
/// local activation.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class StatelessWorkerAttribute(int maxLocalWorkers = 0) : Attribute
{
    public int MaxLocalWorkers { get; } = maxLocalWorkers;
}
