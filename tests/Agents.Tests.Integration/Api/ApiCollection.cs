namespace Agents.Tests.Integration.Api;

/// <summary>The API test classes run one after another: each starts a silo, and the machine has two cores.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection
{
    public const string Name = "api";
}
