using System.Text.Json;
using Agents.Abstractions;
using Agents.Abstractions.Serialization;
using Agents.Runtime.Activation;

namespace Agents.Runtime.Storage;

/// <summary>An <see cref="IPersistentState{TState}"/> over <see cref="IGrainStateStore"/>, serialized as
/// JSON (source-generated contexts registered with <see cref="GrainJson"/> are used first).</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IPersistentStateLoader
    where TState : new()
{
    private readonly string _name;
    private readonly ActivationData _activation;
    private readonly IGrainStateStore _store;

    public PersistentState(string name, ActivationData activation, IGrainStateStore store)
    {
        _name = name;
        _activation = activation;
        _store = store;
        State = new TState();
    }

    public TState State { get; set; }
    public string? ETag { get; private set; }
    public bool RecordExists => ETag is not null;

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await _store.ReadAsync(_name, _activation.Id, cancellationToken);
        if (stored.ETag is null || stored.Payload.IsEmpty)
        {
            State = new TState();
            ETag = stored.ETag;
            return;
        }
        try
        {
            State = JsonSerializer.Deserialize(stored.Payload.Span, GrainJson.TypeInfo<TState>()) ?? new TState();
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException(
                $"Stored state '{_name}' of {_activation.Id} cannot be read as {typeof(TState).Name}: {exception.Message}", exception);
        }
        ETag = stored.ETag;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(State, GrainJson.TypeInfo<TState>());
        try
        {
            ETag = await _store.WriteAsync(_name, _activation.Id, payload, ETag, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            // Our copy is stale: drop this activation so the next call reloads what is stored.
            _activation.RequestDeactivation(DeactivationReason.InconsistentState);
            throw;
        }
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _store.ClearAsync(_name, _activation.Id, ETag, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            _activation.RequestDeactivation(DeactivationReason.InconsistentState);
            throw;
        }
        ETag = null;
        State = new TState();
    }

    Task IPersistentStateLoader.LoadAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);
}

/// <summary>A state the activation loads before <see cref="Grain.OnActivateAsync"/>.</summary>
internal interface IPersistentStateLoader
{
    Task LoadAsync(CancellationToken cancellationToken);
}
