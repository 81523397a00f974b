namespace Agents.Runtime;

/// <summary>
/// Ambient key/value facts (trace ids, tenant, ...) that travel with every grain call made from the
/// current async flow, including calls grains make while serving the request, as Orleans'
/// <c>RequestContext</c> does.
/// </summary>
public static class RequestContext
{
    public static string? Get(string key) =>
        CallContext.Current?.Values is { } values && values.TryGetValue(key, out var value) ? value : null;

    /// <summary>Sets a value for this async flow (copy-on-write, so sibling flows are unaffected).</summary>
    public static void Set(string key, string value)
    {
        var current = CallContext.Current;
        var values = current?.Values is { } existing ? new Dictionary<string, string>(existing, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        values[key] = value;
        CallContext.Current = new CallContext(current?.CallChainId ?? 0, current?.Grain, values);
    }

    public static void Clear()
    {
        if (CallContext.Current is { } current) CallContext.Current = current with { Values = null };
    }
}

/// <summary>The flow-local facts of the request being served: its call chain (for call-chain
/// reentrancy), the grain serving it, and the request context.</summary>
internal sealed record CallContext(long CallChainId, Agents.Abstractions.GrainId? Grain, Dictionary<string, string>? Values)
{
    private static readonly AsyncLocal<CallContext?> Local = new();

    /// <summary>The flow's context; inside a grain turn that runs alone, the activation supplies it
    /// (so the common case sets no AsyncLocal, which would cost an ExecutionContext per call).</summary>
    public static CallContext? Current
    {
        get => Local.Value ?? (SynchronizationContext.Current as Activation.ActivationData)?.LoneTurnContext;
        set => Local.Value = value;
    }

    /// <summary>Only what was set explicitly on this flow.</summary>
    public static CallContext? Explicit => Local.Value;
}
