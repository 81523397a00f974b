using Agents.Abstractions;

namespace Agents.Runtime.Storage;

/// <summary>
/// <see cref="IGrainStateStore"/> in memory (one service per instance), with the same ETag semantics as
/// the PostgreSQL store: versions only grow, a clear keeps a tombstone so old ETags never match again.
/// </summary>
public sealed class InMemoryGrainStateStore : IGrainStateStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string StateName, GrainId Grain), (byte[]? Payload, int Version)> _rows = [];

    public Task<StoredGrainState> ReadAsync(string stateName, GrainId grain, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        lock (_gate)
        {
            if (_rows.TryGetValue((stateName, grain), out var row) && row.Payload is not null)
                return Task.FromResult(new StoredGrainState(row.Payload, GrainStateETags.Format(row.Version)));
        }
        return Task.FromResult(new StoredGrainState(ReadOnlyMemory<byte>.Empty, null));
    }

    public Task<string> WriteAsync(string stateName, GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        var expected = GrainStateETags.Parse(etag);
        var copy = payload.ToArray();
        lock (_gate)
        {
            var exists = _rows.TryGetValue((stateName, grain), out var row);
            if (expected is null)
            {
                // First write: only over nothing or a tombstone.
                if (exists && row.Payload is not null)
                    throw GrainStateETags.Conflict(stateName, grain, etag);
                var version = exists ? row.Version + 1 : 1;
                _rows[(stateName, grain)] = (copy, version);
                return Task.FromResult(GrainStateETags.Format(version));
            }
            if (!exists || row.Payload is null || row.Version != expected)
                throw GrainStateETags.Conflict(stateName, grain, etag);
            _rows[(stateName, grain)] = (copy, row.Version + 1);
            return Task.FromResult(GrainStateETags.Format(row.Version + 1));
        }
    }

    public Task ClearAsync(string stateName, GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        var expected = GrainStateETags.Parse(etag);
        lock (_gate)
        {
            var exists = _rows.TryGetValue((stateName, grain), out var row);
            var stored = exists && row.Payload is not null;
            if (expected is null)
            {
                if (stored)
                    throw GrainStateETags.Conflict(stateName, grain, etag);
                return Task.CompletedTask;
            }
            if (!stored || row.Version != expected)
                throw GrainStateETags.Conflict(stateName, grain, etag);
            _rows[(stateName, grain)] = (null, row.Version + 1);
        }
        return Task.CompletedTask;
    }
}
