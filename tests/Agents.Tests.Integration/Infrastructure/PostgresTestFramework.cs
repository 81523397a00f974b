using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Agents.Tests.Integration.Infrastructure.PostgresTestFramework", "Agents.Tests.Integration")]

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>
/// xUnit's own framework, plus the end of the run: it removes the run's PostgreSQL container
/// (xUnit 2 has no assembly fixtures; the framework is disposed once the run is over). The test host
/// may exit before Docker confirms the removal, so test.sh also removes the run's containers by label.
/// </summary>
public sealed class PostgresTestFramework : XunitTestFramework
{
    public PostgresTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        DisposalTracker.Add(new ContainerRemoval());
    }

    private sealed class ContainerRemoval : IDisposable
    {
        public void Dispose() => PostgresContainer.DisposeAsync().GetAwaiter().GetResult();
    }
}
