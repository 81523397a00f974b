namespace Agents.Abstractions;

/// <summary>Hands out references to virtual actors. A reference is cheap, needs no I/O, and the grain
/// is activated on its first call.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of interface <typeparamref name="TGrain"/> with key <paramref name="key"/>.</summary>
    /// <exception cref="UnknownGrainTypeException">No proxy was generated for <typeparamref name="TGrain"/>.</exception>
    TGrain Get<TGrain>(string key) where TGrain : IGrainWithStringKey;
}
