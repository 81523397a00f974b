namespace Agents.Tests.Integration.Grains.TestGrains;

/// <summary>A counter kept in grain storage.</summary>
[Alias("Agents.Tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("Increment")]
    Task<int> IncrementAsync();

    [Alias("Value")]
    Task<int> ValueAsync();

    /// <summary>The activation id, so a test sees a new activation after deactivation.</summary>
    [Alias("Activation")]
    Task<Guid> ActivationAsync();

    [Alias("Deactivate")]
    Task DeactivateAsync();
}
