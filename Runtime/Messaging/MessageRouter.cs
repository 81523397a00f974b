using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Agents.Runtime.Activation;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Messaging;

/// <summary>
/// Delivers requests: to a local activation, or over a connection to the silo that hosts (or will
/// host) the grain, keeping the pending-call table that matches responses to callers, times them out
/// and fails them when their silo goes away. Rejections of kind CacheInvalidation or Transient repair
/// the location cache and route the request again (a bounded number of times).
/// </summary>
internal sealed class MessageRouter(SiloRuntime runtime) : IGrainCallInvoker
{
    private const int MaxForwards = 4;
    private readonly PendingCalls _pending = new();
    private long _nextCorrelationId;

    public int PendingCount => _pending.Count;

    /// <summary>A call made by code in this process (a grain, or a host using the silo's factory).</summary>
    public void Send(GrainRequest request)
    {
        request.DeadlineMs = Environment.TickCount64 + (long)runtime.Options.ResponseTimeout.TotalMilliseconds;
        if (CallContext.Current is { } context)
        {
            request.CallChainId = context.CallChainId != 0 ? context.CallChainId : NewCallChainId();
            request.SendingGrain = context.Grain;
            request.RequestContext = context.Values;
        }
        else
        {
            request.CallChainId = NewCallChainId();
        }
        Route(request);
    }

    private static long NewCallChainId() => Random.Shared.NextInt64(1, long.MaxValue);

    public void Route(GrainRequest request)
    {
        var id = request.Target;
        if (!runtime.Classes.TryGetValue(id.Type, out var grainClass))
        {
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, new UnknownGrainTypeException(
                GrainInterfaceRegistry.TryGetByGrainType(id.Type, out _)
                    ? $"No grain class implements grain type '{id.Type}' on silo {runtime.Options.SiloName}."
                    : $"Grain type '{id.Type}' is unknown: no grain interface declares it."));
            return;
        }
        if (grainClass.IsStatelessWorker)
        {
            RouteToWorker(request, grainClass);
            return;
        }
        if (runtime.Catalog.TryGet(id, out var activation))
        {
            Deliver(activation, request);
            return;
        }
        if (request.Origin == RequestOrigin.Silo)
        {
            // Another silo sent it here: run it if it placed it here, else its cache is stale.
            if ((request.Flags & RequestFlags.NewPlacement) != 0 && !runtime.IsShuttingDown)
                Deliver(runtime.Catalog.GetOrCreate(id, grainClass), request);
            else
                request.CompleteWithRuntimeError(RejectionKind.CacheInvalidation,
                    new SiloUnavailableException($"{id} is not active on silo {runtime.SiloAddress}."));
            return;
        }
        if (runtime.Locator.TryGetCached(id, out var cached))
        {
            if (!cached.Silo.Equals(runtime.SiloAddress) && !runtime.Membership.IsDead(cached.Silo))
            {
                SendRemote(cached.Silo, request, cached.Placed);
                return;
            }
            runtime.Locator.Invalidate(id, cached.Silo);
        }
        _ = ResolveAndRouteAsync(request, grainClass);
    }

    private async Task ResolveAndRouteAsync(GrainRequest request, GrainClassInfo grainClass)
    {
        GrainLocation location;
        try
        {
            var resolved = await runtime.Locator.ResolveAsync(request.Target, grainClass);
            location = new GrainLocation(resolved.Silo, resolved.Placed);
        }
        catch (GrainRuntimeException exception)
        {
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, exception);
            return;
        }
        catch (Exception exception)
        {
            request.CompleteWithRuntimeError(RejectionKind.Transient,
                new SiloUnavailableException($"Could not locate {request.Target}: {exception.Message}", exception));
            return;
        }
        if (location.Silo.Equals(runtime.SiloAddress))
        {
            if (runtime.IsShuttingDown)
            {
                request.CompleteWithRuntimeError(RejectionKind.Transient, new SiloUnavailableException($"Silo {runtime.SiloAddress} is shutting down."));
                return;
            }
            Deliver(runtime.Catalog.GetOrCreate(request.Target, grainClass), request);
        }
        else
        {
            SendRemote(location.Silo, request, location.Placed);
        }
    }

    private readonly record struct GrainLocation(SiloAddress Silo, bool Placed);

    private void RouteToWorker(GrainRequest request, GrainClassInfo grainClass)
    {
        if (request.Origin == RequestOrigin.Silo || (runtime.Placement.IsCompatible(grainClass) && !runtime.IsShuttingDown))
        {
            Deliver(runtime.Catalog.GetWorker(request.Target, grainClass), request);
            return;
        }
        SiloAddress silo;
        try
        {
            silo = runtime.Placement.Choose(grainClass);
        }
        catch (GrainRuntimeException exception)
        {
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, exception);
            return;
        }
        if (silo.Equals(runtime.SiloAddress)) Deliver(runtime.Catalog.GetWorker(request.Target, grainClass), request);
        else SendRemote(silo, request, placed: true);
    }

    private void Deliver(ActivationData activation, GrainRequest request)
    {
        if (!activation.TryEnqueue(request))
            request.CompleteWithRuntimeError(RejectionKind.Overloaded, new OverloadedException(
                $"{request.Target} has {activation.Load} requests queued (limit {runtime.Options.MaxActivationQueueLength}); {request.MethodName} was rejected."));
    }

    /// <summary>A request an activation gave back (it deactivated or lost its directory race).</summary>
    public void Reroute(GrainRequest request)
    {
        if (request.Origin == RequestOrigin.Silo)
        {
            request.CompleteWithRuntimeError(RejectionKind.CacheInvalidation,
                new SiloUnavailableException($"{request.Target} moved away from silo {runtime.SiloAddress}."));
            return;
        }
        if (++request.ForwardCount > MaxForwards)
        {
            request.CompleteWithRuntimeError(RejectionKind.Transient,
                new SiloUnavailableException($"{request.MethodName} on {request.Target} was forwarded {MaxForwards} times without finding the grain."));
            return;
        }
        Route(request);
    }

    private void SendRemote(SiloAddress silo, GrainRequest request, bool placed)
    {
        var connection = runtime.Connections.Get(silo);
        request.Flags = (request.Flags & ~RequestFlags.NewPlacement) | (placed ? RequestFlags.NewPlacement : RequestFlags.None);
        request.CorrelationId = Interlocked.Increment(ref _nextCorrelationId);
        request.SentTo = connection;
        _pending.Add(request);
        if (!connection.TrySendRequest(request) && _pending.TryRemove(request.CorrelationId, out _))
            OnSendFailed(request, silo);
    }

    private void OnSendFailed(GrainRequest request, SiloAddress silo)
    {
        runtime.Locator.Invalidate(request.Target, silo);
        if (runtime.Membership.IsDead(silo)) Reroute(request);
        else request.CompleteWithRuntimeError(RejectionKind.Transient, new SiloUnavailableException($"Silo {silo} is unreachable."));
    }

    public void OnResponse(Connection connection, long correlationId, ref WireReader reader)
    {
        if (!_pending.TryRemove(correlationId, out var request)) return; // timed out already
        if (!MessageCodec.TryReadRejection(request, ref reader, out var kind, out var error)) return;
        if (kind is RejectionKind.CacheInvalidation or RejectionKind.Transient && request.Origin != RequestOrigin.Silo)
        {
            if (connection.RemoteSilo is { } silo) runtime.Locator.Invalidate(request.Target, silo);
            Reroute(request);
            return;
        }
        request.CompleteWithRuntimeError(kind, error!);
    }

    /// <summary>Fails (or, when the silo is known dead and the request never ran there, re-routes)
    /// every request in flight on <paramref name="connection"/>.</summary>
    public void OnConnectionClosed(Connection connection)
    {
        foreach (var request in _pending.TakeSentTo(connection))
        {
            if (connection.RemoteSilo is { } silo) runtime.Locator.Invalidate(request.Target, silo);
            // It may have run: say so (not as a retryable rejection) rather than silently re-running a
            // non-idempotent call; the caller decides whether to retry.
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, new SiloUnavailableException(
                $"Connection to {connection.RemoteSilo?.ToString() ?? "a silo"} closed before {request.MethodName} on {request.Target} answered."));
        }
    }

    public void SweepExpired() => _pending.SweepExpired(runtime.Options.ResponseTimeout);
}
