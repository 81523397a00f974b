namespace Agents.Abstractions.Invocation;

/// <summary>Base of generated proxies: a grain identity plus the runtime that delivers its calls.</summary>
public abstract class GrainReference(IGrainCallInvoker invoker, GrainId grainId)
{
    public GrainId GrainId { get; } = grainId;

    /// <summary>Sends <paramref name="request"/> to this grain and returns the task of its result.</summary>
    protected Task<TResult> SendAsync<TResult>(GrainRequest<TResult> request)
    {
        request.Target = GrainId;
        var task = request.CreateTask();
        invoker.Send(request);
        return task;
    }

    public override string ToString() => GrainId.ToString();
}

/// <summary>Delivers requests: a silo's runtime, or a cluster client's gateway connection.</summary>
public interface IGrainCallInvoker
{
    /// <summary>Routes the request; its outcome completes the request (never throws synchronously).</summary>
    void Send(GrainRequest request);
}
