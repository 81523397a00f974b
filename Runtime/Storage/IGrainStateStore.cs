using Agents.Abstractions;

namespace Agents.Runtime.Storage;

/// <summary>A grain's stored state: its serialized payload and the version used as ETag
/// (null when nothing is stored yet).</summary>
public sealed record StoredGrainState(ReadOnlyMemory<byte> Payload, string? ETag);

/// <summary>
/// Persistent grain state with optimistic concurrency: a write names the ETag it read and fails with
/// <see cref="InconsistentStateException"/> if the stored version moved on.
/// </summary>
public interface IGrainStateStore
{
    Task<StoredGrainState> ReadAsync(string stateName, GrainId grain, CancellationToken cancellationToken);
    /// <summary>Writes and returns the new ETag.</summary>
    Task<string> WriteAsync(string stateName, GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken);
    Task ClearAsync(string stateName, GrainId grain, string? etag, CancellationToken cancellationToken);
}

/// <summary>The stored state changed since this activation read it.</summary>
public sealed class InconsistentStateException(string message) : Exception(message);
