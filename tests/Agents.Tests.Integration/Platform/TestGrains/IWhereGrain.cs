using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Answers which silo its activation lives on.</summary>
[Alias("Agents.Tests.Platform.IWhereGrain")]
public interface IWhereGrain : IGrainWithIntegerKey
{
    [Alias("Silo")]
    Task<string> SiloAsync();
}
