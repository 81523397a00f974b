using Agents.Memory.Agents;

namespace Agents.Grains.Agents;

/// <summary>What one step read and wrote: the memories shown to the model, numbered in the order they
/// were first shown (the [n] of a citation), and the ids written.</summary>
internal sealed class MemoryLedger
{
    private readonly List<RecalledMemory> _shown = [];
    private readonly List<Guid> _written = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RecalledMemory> Shown { get { lock (_gate) return [.. _shown]; } }
    public IReadOnlyList<Guid> WrittenIds { get { lock (_gate) return [.. _written]; } }

    /// <summary>The number of <paramref name="memory"/> in this step (1-based), numbering it when new.</summary>
    public int Number(RecalledMemory memory)
    {
        lock (_gate)
        {
            var index = _shown.FindIndex(m => m.Id == memory.Id);
            if (index >= 0) return index + 1;
            _shown.Add(memory);
            return _shown.Count;
        }
    }

    public void Written(Guid id)
    {
        lock (_gate) _written.Add(id);
    }
}
