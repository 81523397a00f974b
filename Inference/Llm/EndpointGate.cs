namespace Agents.Inference.Llm;

/// <summary>A counting gate limiting the requests in flight to one endpoint.</summary>
public sealed class EndpointGate
{
    private readonly SemaphoreSlim _semaphore;

    internal EndpointGate(string endpoint, int limit)
    {
        Endpoint = endpoint;
        Limit = limit;
        _semaphore = new SemaphoreSlim(limit, limit);
    }

    public string Endpoint { get; }
    public int Limit { get; }

    /// <summary>Requests currently holding a slot.</summary>
    public int InFlight => Limit - _semaphore.CurrentCount;

    /// <summary>Waits for a slot; dispose the lease to give it back.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lease(this);
    }

    public readonly struct Lease(EndpointGate gate) : IDisposable
    {
        public void Dispose() => gate?._semaphore.Release();
    }
}
