namespace Agents.Abstractions.Invocation;

/// <summary>Makes generated proxies bound to one call invoker (a silo's router, or a cluster client).</summary>
public sealed class GrainFactory(IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrain Get<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException($"A {typeof(TGrain).Name} key must be a non-empty string.", nameof(key));
        var metadata = Metadata<TGrain>.Value;
        return (TGrain)(object)metadata.CreateProxy(invoker, new GrainId(metadata.GrainType, key));
    }

    private static class Metadata<TGrain>
    {
        public static readonly GrainInterfaceMetadata Value = GrainInterfaceRegistry.Get(typeof(TGrain));
    }
}
