using System.Collections.Concurrent;
using Agents.Abstractions;

namespace Agents.Runtime.Activation;

/// <summary>The activations living on this silo: one per stateful grain, a small pool per stateless
/// worker grain. Creates activations on demand, collects idle ones and drains them at shutdown.</summary>
internal sealed class Catalog(SiloRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerPool> _workers = new();

    public int Count => _activations.Count + _workers.Sum(w => w.Value.Count);

    public bool TryGet(GrainId id, out ActivationData activation) => _activations.TryGetValue(id, out activation!);

    /// <summary>The grain's activation here, created (and started) if there is none.</summary>
    public ActivationData GetOrCreate(GrainId id, GrainClassInfo grainClass)
    {
        if (_activations.TryGetValue(id, out var existing)) return existing;
        var created = new ActivationData(id, grainClass, runtime);
        var winner = _activations.GetOrAdd(id, created);
        if (ReferenceEquals(winner, created)) created.Start();
        return winner;
    }

    /// <summary>A local activation of a stateless worker: an idle one, a new one while under the
    /// class's limit, else the least busy.</summary>
    public ActivationData GetWorker(GrainId id, GrainClassInfo grainClass) =>
        _workers.GetOrAdd(id, static (_, state) => new StatelessWorkerPool(state.grainClass.StatelessWorkerMax), (grainClass, runtime))
            .Pick(() =>
            {
                var activation = new ActivationData(id, grainClass, runtime);
                activation.Start();
                return activation;
            });

    public void Remove(ActivationData activation)
    {
        if (activation.Class.IsStatelessWorker)
        {
            if (_workers.TryGetValue(activation.Id, out var pool)) pool.Remove(activation);
        }
        else
        {
            _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.Id, activation));
        }
    }

    public IReadOnlyList<ActivationData> Snapshot() =>
        [.. _activations.Values, .. _workers.Values.SelectMany(pool => pool.Snapshot())];

    /// <summary>Asks every activation idle longer than its class's collection age to deactivate.</summary>
    public void CollectIdle()
    {
        var now = Environment.TickCount64;
        foreach (var activation in Snapshot())
            if (activation.Load == 0 && now - activation.LastActiveMs >= activation.Class.CollectionAge.TotalMilliseconds)
                activation.RequestDeactivation(DeactivationReason.Idle);
    }

    public void SweepExpired()
    {
        foreach (var activation in _activations.Values) activation.SweepExpired();
        foreach (var pool in _workers.Values)
            foreach (var activation in pool.Snapshot()) activation.SweepExpired();
    }

    /// <summary>Deactivates everything (graceful shutdown) and waits for it, at most <paramref name="timeout"/>.</summary>
    public async Task DeactivateAllAsync(TimeSpan timeout)
    {
        var all = Snapshot();
        foreach (var activation in all) activation.RequestDeactivation(DeactivationReason.ShuttingDown);
        await Task.WhenAll(all.Select(a => a.Completed.Task)).WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private sealed class StatelessWorkerPool(int max)
    {
        private readonly Lock _gate = new();
        private readonly List<ActivationData> _activations = [];

        public int Count { get { lock (_gate) return _activations.Count; } }

        public ActivationData[] Snapshot() { lock (_gate) return [.. _activations]; }

        public ActivationData Pick(Func<ActivationData> create)
        {
            lock (_gate)
            {
                ActivationData? least = null;
                foreach (var activation in _activations)
                {
                    if (activation.IsInvalid) continue;
                    if (activation.Load == 0) return activation;
                    if (least is null || activation.Load < least.Load) least = activation;
                }
                if (least is not null && _activations.Count >= max) return least;
                var created = create();
                _activations.Add(created);
                return created;
            }
        }

        public void Remove(ActivationData activation) { lock (_gate) _activations.Remove(activation); }
    }
}
