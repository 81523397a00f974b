using Agents.Inference.Attention;
using Agents.Memory.Model;

namespace Agents.Memory.Attention;

/// <summary>
/// The sparse-attention reader's bank for one memory scope: every record of the scope that has an
/// embedding, keyed in the reader by a long (the reader's id type) mapped to the record's Guid.
/// Changes are idempotent (upsert, remove), so a change seen twice, or seen both by the initial load
/// and by the change feed, leaves the same bank.
/// </summary>
public sealed class ScopedMemoryBank : IDisposable
{
    private readonly Dictionary<Guid, long> _ids = [];
    private readonly Dictionary<long, Guid> _guids = [];
    private long _next;

    public ScopedMemoryBank(MemoryScope scope, IMemoryReader reader)
    {
        Scope = scope;
        Reader = reader;
    }

    public MemoryScope Scope { get; }
    public IMemoryReader Reader { get; }

    /// <summary>Held while the bank changes; reads need not take it (the reader serialises writes against reads).</summary>
    internal Lock Gate { get; } = new();

    public int Count { get { lock (Gate) return _ids.Count; } }

    /// <summary>When the bank was last (re)loaded from the store.</summary>
    public DateTimeOffset LoadedAt { get; internal set; }

    /// <summary>Applies a record's current state: in the bank if it belongs to the scope, has an
    /// embedding of the bank's dimension and is not expired; out of it otherwise.</summary>
    public void Apply(MemoryRecord record)
    {
        lock (Gate)
        {
            var belongs = Scope.Contains(record.Scope) && record.Embedding is { } e && e.Length == Reader.Dimension && record.ExpiredAt is null;
            if (!belongs) { RemoveLocked(record.Id); return; }
            if (_ids.TryGetValue(record.Id, out var id)) { Reader.Update(id, record.Embedding); return; }
            id = ++_next;
            Reader.Insert(id, record.Embedding);
            _ids[record.Id] = id;
            _guids[id] = record.Id;
        }
    }

    public void Remove(Guid recordId)
    {
        lock (Gate) RemoveLocked(recordId);
    }

    /// <summary>Removes every memory whose record id matches <paramref name="predicate"/>.</summary>
    public void RemoveWhere(Func<Guid, bool> predicate)
    {
        lock (Gate)
        {
            foreach (var id in _ids.Keys.Where(predicate).ToArray()) RemoveLocked(id);
        }
    }

    public HashSet<Guid> SnapshotIds()
    {
        lock (Gate) return [.. _ids.Keys];
    }

    public Guid RecordId(long readerId)
    {
        lock (Gate) return _guids.TryGetValue(readerId, out var guid) ? guid : Guid.Empty;
    }

    private void RemoveLocked(Guid recordId)
    {
        if (!_ids.Remove(recordId, out var id)) return;
        _guids.Remove(id);
        Reader.Delete(id);
    }

    public void Dispose() => Reader.Dispose();
}
