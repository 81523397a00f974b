using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Tests.Integration.Memory.Conformance;

public sealed class EmbeddedMemoryStoreConformanceTests : MemoryStoreConformanceTests, IDisposable
{
    private EmbeddedMemoryStore? _embedded;

    protected override IMemoryStore CreateStore() => _embedded = new EmbeddedMemoryStore(Options, timeProvider: Clock);

    protected override Task<MemoryRowCounts> CountRowsAsync(string tenant) => Task.FromResult(((EmbeddedMemoryStore)Store).CountRows(tenant));

    public void Dispose() => _embedded?.Dispose();
}
