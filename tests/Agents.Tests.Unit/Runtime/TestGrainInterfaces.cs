using Agents.Abstractions;

namespace Agents.Tests.Unit.Runtime;

public interface IPingGrain : IGrainWithStringKey
{
    Task<int> PingAsync(int value);
    Task<string> EchoAsync(string text);
    Task<byte[]> EchoBytesAsync(byte[] payload);
    Task<string> WhereAsync();
    Task<Guid> ActivationAsync();
    Task ThrowAsync(string message);
    Task SleepAsync(int milliseconds);
    ValueTask<long> AddAsync(long a, long b);
    Task<TestRecord> TransformAsync(TestRecord record);
    Task<string?> ContextAsync(string key);
    /// <summary>Counts its own executions.</summary>
    Task<int> BumpAsync();
    [ReadOnly] Task<int> BumpsAsync();
    /// <summary>Asks the runtime to deactivate this activation once the call returns.</summary>
    Task DeactivateAsync();
}

public sealed record TestRecord(string Name, int Count, IReadOnlyList<string> Tags);

/// <summary>Counts how many of its requests run at the same time.</summary>
public interface ITurnGrain : IGrainWithStringKey
{
    Task WorkAsync();
    [ReadOnly] Task ReadAsync();
    Task<int> MaxConcurrencyAsync();
}

/// <summary>Requests that only finish once <c>parties</c> of them are inside the grain at once.</summary>
public interface IRendezvousGrain : IGrainWithStringKey
{
    [ReadOnly] Task<int> MeetReadOnlyAsync(int parties);
    Task<int> MeetAsync(int parties);
}

public interface IReentrantRendezvousGrain : IRendezvousGrain;

public interface IWorkerGrain : IGrainWithStringKey
{
    Task<Guid> MeetAsync(int parties);
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();
    Task<int> GetAsync();
    Task<string> WhereAsync();
}

public interface IActivationGrain : IGrainWithStringKey
{
    Task<Guid> HelloAsync();
}

public interface IGpuGrain : IGrainWithStringKey
{
    Task<string> WhereAsync();
}

public interface IIdleGrain : IGrainWithStringKey
{
    Task<Guid> HelloAsync();
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartAsync(int periodMs);
    Task<int> TicksAsync();
}

public interface ICallerGrain : IGrainWithStringKey
{
    /// <summary>Calls <see cref="ICallerGrain.ReturnAsync"/> on <paramref name="other"/>, which calls back here.</summary>
    Task<string> CallBackAsync(string other);
    Task<string> ReturnAsync(string caller);
    Task<string> NameAsync();
}

/// <summary>Declared but implemented by no grain class.</summary>
public interface IOrphanGrain : IGrainWithStringKey
{
    Task<int> NothingAsync();
}
