using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;

namespace Agents.Runtime.Messaging;

/// <summary>
/// Requests sent over connections and waiting for their responses, by correlation id: the silo's
/// router and the cluster client each keep one. Expired requests are failed by
/// <see cref="SweepExpired"/>; requests of a connection that closed are handed back by
/// <see cref="TakeSentTo"/> for the owner to fail or re-route.
/// </summary>
internal sealed class PendingCalls
{
    private readonly ConcurrentDictionary<long, GrainRequest> _calls = new();

    public int Count => _calls.Count;

    public void Add(GrainRequest request) => _calls[request.CorrelationId] = request;

    public bool TryRemove(long correlationId, [MaybeNullWhen(false)] out GrainRequest request) => _calls.TryRemove(correlationId, out request);

    /// <summary>Removes and returns the requests in flight on <paramref name="connection"/>.</summary>
    public List<GrainRequest> TakeSentTo(Connection connection)
    {
        var taken = new List<GrainRequest>();
        foreach (var entry in _calls)
        {
            if (ReferenceEquals(entry.Value.SentTo, connection) && _calls.TryRemove(entry.Key, out var request)) taken.Add(request);
        }
        return taken;
    }

    /// <summary>Fails the requests whose time-to-live has passed (and forgets completed ones).</summary>
    public void SweepExpired(TimeSpan responseTimeout)
    {
        var now = Environment.TickCount64;
        foreach (var entry in _calls)
        {
            var request = entry.Value;
            if (request.IsCompleted) { _calls.TryRemove(entry); continue; }
            if (!request.IsExpired(now) || !_calls.TryRemove(entry.Key, out _)) continue;
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, new RequestTimeoutException(
                $"{request.MethodName} on {request.Target} did not answer within {responseTimeout.TotalSeconds:0.###} s."));
        }
    }
}
