using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Answers which silo its activation lives on.</summary>
public interface IWhereGrain : IGrainWithIntegerKey
{
    Task<string> SiloAsync();
}
