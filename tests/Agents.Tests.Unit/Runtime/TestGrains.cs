using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Runtime;
using Agents.Runtime.Storage;

namespace Agents.Tests.Unit.Runtime;

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> PingAsync(int value) => Task.FromResult(value + 1);
    public Task<string> EchoAsync(string text) => Task.FromResult(text);
    public Task<byte[]> EchoBytesAsync(byte[] payload) => Task.FromResult(payload);
    public Task<string> WhereAsync() => Task.FromResult(SiloName);
    public Task<Guid> ActivationAsync() => Task.FromResult(ActivationId);
    public Task ThrowAsync(string message) => throw new InvalidOperationException(message);
    public Task SleepAsync(int milliseconds) => Task.Delay(milliseconds);
    public ValueTask<long> AddAsync(long a, long b) => ValueTask.FromResult(a + b);
    public Task<TestRecord> TransformAsync(TestRecord record) => Task.FromResult(record with { Count = record.Count * 2, Tags = [.. record.Tags, "seen"] });
    public Task<string?> ContextAsync(string key) => Task.FromResult(RequestContext.Get(key));

    private int _bumps;
    public Task<int> BumpAsync() => Task.FromResult(++_bumps);
    public Task<int> BumpsAsync() => Task.FromResult(_bumps);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public sealed class TurnGrain : Grain, ITurnGrain
{
    private int _inside;
    private int _max;

    public Task WorkAsync() => EnterAsync();
    public Task ReadAsync() => EnterAsync();
    public Task<int> MaxConcurrencyAsync() => Task.FromResult(_max);

    private async Task EnterAsync()
    {
        var now = Interlocked.Increment(ref _inside);
        _max = Math.Max(_max, now);
        await Task.Yield();
        await Task.Delay(1);
        Interlocked.Decrement(ref _inside);
    }
}

public class RendezvousGrain : Grain, IRendezvousGrain
{
    private readonly List<TaskCompletionSource> _waiting = [];
    private int _inside;

    public Task<int> MeetReadOnlyAsync(int parties) => MeetAsync(parties);

    public async Task<int> MeetAsync(int parties)
    {
        var arrived = ++_inside;
        if (arrived >= parties)
        {
            foreach (var waiter in _waiting) waiter.TrySetResult();
            _waiting.Clear();
            return arrived;
        }
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Add(mine);
        await mine.Task;
        return arrived;
    }
}

[Reentrant]
public sealed class ReentrantRendezvousGrain : RendezvousGrain, IReentrantRendezvousGrain;

[StatelessWorker(4)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private static readonly ConcurrentDictionary<string, (int Inside, List<TaskCompletionSource> Waiting)> Meetings = new();

    public async Task<Guid> MeetAsync(int parties)
    {
        TaskCompletionSource mine = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = false;
        lock (Meetings)
        {
            var meeting = Meetings.GetOrAdd(GrainKey, _ => (0, []));
            meeting.Inside++;
            meeting.Waiting.Add(mine);
            Meetings[GrainKey] = meeting;
            release = meeting.Inside >= parties;
            if (release)
            {
                foreach (var waiter in meeting.Waiting) waiter.TrySetResult();
                Meetings.TryRemove(GrainKey, out _);
            }
        }
        await mine.Task;
        return ActivationId;
    }
}

public sealed class CounterState
{
    public int Value { get; set; }
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    public async Task<int> IncrementAsync()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> GetAsync() => Task.FromResult(counter.State.Value);
    public Task<string> WhereAsync() => Task.FromResult(SiloName);
}

public sealed class ActivationGrain : Grain, IActivationGrain
{
    public static readonly ConcurrentDictionary<string, int> Activations = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Activations.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task<Guid> HelloAsync() => Task.FromResult(ActivationId);
}

[RequiresRole("gpu")]
public sealed class GpuGrain : Grain, IGpuGrain
{
    public Task<string> WhereAsync() => Task.FromResult(SiloName);
}

[CollectionAge(0.005)] // 0.3 s
public sealed class IdleGrain : Grain, IIdleGrain
{
    public static readonly ConcurrentDictionary<string, int> Deactivations = new();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Deactivations.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task<Guid> HelloAsync() => Task.FromResult(ActivationId);
}

public sealed class TimerGrain : Grain, ITimerGrain
{
    private int _ticks;
    private IDisposable? _timer;

    public Task StartAsync(int periodMs)
    {
        _timer ??= RegisterTimer(_ => { _ticks++; return Task.CompletedTask; }, TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task<int> TicksAsync() => Task.FromResult(_ticks);
}

public sealed class CallerGrain : Grain, ICallerGrain
{
    public Task<string> CallBackAsync(string other) => GrainFactory.Get<ICallerGrain>(other).ReturnAsync(GrainKey);
    public Task<string> ReturnAsync(string caller) => GrainFactory.Get<ICallerGrain>(caller).NameAsync();
    public Task<string> NameAsync() => Task.FromResult(GrainKey);
}
