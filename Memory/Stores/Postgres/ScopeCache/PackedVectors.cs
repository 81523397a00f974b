namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// The embeddings of a copy's records of one kind, side by side in one array with their squared norms, so
/// an exact vector scan reads them in order instead of following two references per record (the scan was
/// the largest share of the .NET process's time in LoCoMo ingest on PostgreSQL). Every embedding kept has
/// the length of the first one; records with another length are only counted (<see cref="Unpacked"/>),
/// and a scan then goes record by record. Not thread-safe: the copy's lock guards it.
/// </summary>
internal sealed class PackedVectors
{
    private float[] _data = [];
    private float[] _norms = [];
    private CachedRecord?[] _rows = [];
    private readonly Dictionary<Guid, int> _slots = [];
    private readonly HashSet<Guid> _unpacked = [];

    /// <summary>The length of the embeddings kept (0 until the first one).</summary>
    public int Dimension { get; private set; }

    public int Count { get; private set; }

    /// <summary>Records of the kind with an embedding of another length than <see cref="Dimension"/>.</summary>
    public int Unpacked => _unpacked.Count;

    public void Add(CachedRecord record)
    {
        if (record.Record.Embedding is not { } embedding) return;
        var id = record.Record.Id;
        Remove(id);
        if (Dimension == 0) Dimension = embedding.Length;
        if (embedding.Length != Dimension)
        {
            _unpacked.Add(id);
            return;
        }
        if (Count == _rows.Length)
        {
            var capacity = Math.Max(16, _rows.Length * 2);
            Array.Resize(ref _data, capacity * Dimension);
            Array.Resize(ref _norms, capacity);
            Array.Resize(ref _rows, capacity);
        }
        embedding.CopyTo(_data, Count * Dimension);
        _norms[Count] = record.NormSquared;
        _rows[Count] = record;
        _slots[id] = Count++;
    }

    /// <summary>Forgets a record: the last one moves into its place.</summary>
    public void Remove(Guid id)
    {
        if (_unpacked.Remove(id) || !_slots.Remove(id, out var slot)) return;
        var last = --Count;
        if (slot != last)
        {
            Array.Copy(_data, last * Dimension, _data, slot * Dimension, Dimension);
            _norms[slot] = _norms[last];
            _rows[slot] = _rows[last];
            _slots[_rows[slot]!.Record.Id] = slot;
        }
        _rows[last] = null;
    }

    public ReadOnlySpan<float> Vector(int slot) => _data.AsSpan(slot * Dimension, Dimension);

    public float NormSquared(int slot) => _norms[slot];

    public CachedRecord Row(int slot) => _rows[slot]!;
}
