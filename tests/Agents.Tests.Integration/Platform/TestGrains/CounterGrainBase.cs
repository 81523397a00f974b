using Orleans;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>The counter over a state the subclass names and places; each subclass implements its own
/// grain interface, so that a call names exactly one grain class.</summary>
public abstract class CounterGrainBase(IPersistentState<StoredCounterState> state) : Grain
{
    private readonly Guid _activation = Guid.NewGuid();

    public async Task<CounterSnapshot> AddAsync(int amount, string note)
    {
        state.State.Value += amount;
        state.State.Notes.Add(note);
        await state.WriteStateAsync();
        return Snapshot();
    }

    public Task<CounterSnapshot> GetAsync() => Task.FromResult(Snapshot());

    public async Task<CounterSnapshot> ClearAsync()
    {
        await state.ClearStateAsync();
        return Snapshot();
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private CounterSnapshot Snapshot() => new(state.State.Value, _activation, state.Etag, state.RecordExists);
}
