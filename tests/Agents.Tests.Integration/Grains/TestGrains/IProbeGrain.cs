namespace Agents.Tests.Integration.Grains.TestGrains;

/// <summary>Tells which activation answered, and how many of its requests ran at once.</summary>
[Alias("Agents.Tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    [Alias("Identity")]
    Task<string> IdentityAsync();

    /// <summary>Holds the turn for <paramref name="hold"/>, awaiting, and returns the most requests seen running at once.</summary>
    [Alias("Work")]
    Task<int> WorkAsync(TimeSpan hold);
}
