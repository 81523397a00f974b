namespace Agents.Tests.Integration.Grains.TestGrains;

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    private readonly Guid _activation = Guid.NewGuid();

    public async Task<int> IncrementAsync()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> ValueAsync() => Task.FromResult(counter.State.Value);

    public Task<Guid> ActivationAsync() => Task.FromResult(_activation);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
