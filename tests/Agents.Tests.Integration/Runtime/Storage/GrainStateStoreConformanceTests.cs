using Agents.Abstractions;
using Agents.Runtime.Storage;

namespace Agents.Tests.Integration.Runtime.Storage;

/// <summary>The contract every <see cref="IGrainStateStore"/> keeps, run against the in-memory and the
/// PostgreSQL store. Each test uses its own service id.</summary>
public abstract class GrainStateStoreConformanceTests
{
    protected abstract IGrainStateStore CreateStore(string serviceId);

    private IGrainStateStore NewService() => CreateStore($"service-{Guid.NewGuid():N}");

    private static CancellationToken None => CancellationToken.None;

    private static GrainId NewGrain() => new("agent", Guid.NewGuid().ToString("N"));

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Nothing_stored_reads_empty_with_no_etag()
    {
        var state = await NewService().ReadAsync("profile", NewGrain(), None);
        Assert.True(state.Payload.IsEmpty);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task Writes_round_trip_and_each_returns_a_new_etag()
    {
        var store = NewService();
        var grain = NewGrain();
        var first = await store.WriteAsync("profile", grain, Bytes("v1"), null, None);
        var second = await store.WriteAsync("profile", grain, Bytes("v2"), first, None);
        Assert.NotEqual(first, second);

        var state = await store.ReadAsync("profile", grain, None);
        Assert.Equal(Bytes("v2"), state.Payload.ToArray());
        Assert.Equal(second, state.ETag);
        // Another state name of the same grain is another row.
        Assert.Null((await store.ReadAsync("other", grain, None)).ETag);
    }

    [Fact]
    public async Task A_stale_etag_throws_and_the_stored_state_is_kept()
    {
        var store = NewService();
        var grain = NewGrain();
        var first = await store.WriteAsync("profile", grain, Bytes("v1"), null, None);
        var second = await store.WriteAsync("profile", grain, Bytes("v2"), first, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("profile", grain, Bytes("lost"), first, None));
        Assert.Contains(grain.ToString(), error.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("profile", grain, Bytes("lost"), null, None));

        var state = await store.ReadAsync("profile", grain, None);
        Assert.Equal(Bytes("v2"), state.Payload.ToArray());
        Assert.Equal(second, state.ETag);
    }

    [Fact]
    public async Task Of_concurrent_first_writes_exactly_one_wins_and_the_others_throw()
    {
        var store = NewService();
        for (var round = 0; round < 5; round++)
        {
            var grain = NewGrain();
            var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                try
                {
                    return (Writer: i, ETag: await store.WriteAsync("profile", grain, Bytes($"writer-{i}"), null, None));
                }
                catch (InconsistentStateException)
                {
                    return (Writer: i, ETag: (string?)null);
                }
            })));

            var winner = Assert.Single(attempts, a => a.ETag is not null);
            var state = await store.ReadAsync("profile", grain, None);
            Assert.Equal(Bytes($"writer-{winner.Writer}"), state.Payload.ToArray());
            Assert.Equal(winner.ETag, state.ETag);
        }
    }

    [Fact]
    public async Task Clear_empties_the_state_and_old_etags_never_match_again()
    {
        var store = NewService();
        var grain = NewGrain();
        var written = await store.WriteAsync("profile", grain, Bytes("v1"), null, None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => store.ClearAsync("profile", grain, null, None));
        await store.ClearAsync("profile", grain, written, None);

        var cleared = await store.ReadAsync("profile", grain, None);
        Assert.True(cleared.Payload.IsEmpty);
        Assert.Null(cleared.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("profile", grain, Bytes("stale"), written, None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.ClearAsync("profile", grain, written, None));
        await store.ClearAsync("profile", grain, null, None); // clearing nothing is fine

        var rewritten = await store.WriteAsync("profile", grain, Bytes("v2"), null, None);
        Assert.NotEqual(written, rewritten);
        Assert.Equal(Bytes("v2"), (await store.ReadAsync("profile", grain, None)).Payload.ToArray());
    }

    [Fact]
    public async Task An_empty_payload_is_stored_state()
    {
        var store = NewService();
        var grain = NewGrain();
        var etag = await store.WriteAsync("profile", grain, ReadOnlyMemory<byte>.Empty, null, None);
        var state = await store.ReadAsync("profile", grain, None);
        Assert.Equal(etag, state.ETag);
        Assert.True(state.Payload.IsEmpty);
    }

    [Fact]
    public async Task Malformed_etags_and_keys_are_rejected_with_clear_errors()
    {
        var store = NewService();
        var grain = NewGrain();
        var badETag = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("profile", grain, Bytes("x"), "W/abc", None));
        Assert.Contains("W/abc", badETag.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync(" ", grain, None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync("profile", default, None));
        var ambiguous = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("profile", new GrainId("a/b", "c"), Bytes("x"), null, None));
        Assert.Contains("a/b", ambiguous.Message);
        Assert.Null((await store.ReadAsync("profile", grain, None)).ETag);
    }

    [Fact]
    public async Task Services_are_isolated()
    {
        var a = NewService();
        var b = NewService();
        var grain = NewGrain();
        await a.WriteAsync("profile", grain, Bytes("a"), null, None);
        Assert.Null((await b.ReadAsync("profile", grain, None)).ETag);
        await b.WriteAsync("profile", grain, Bytes("b"), null, None);
        Assert.Equal(Bytes("a"), (await a.ReadAsync("profile", grain, None)).Payload.ToArray());
    }
}

public sealed class InMemoryGrainStateStoreConformanceTests : GrainStateStoreConformanceTests
{
    protected override IGrainStateStore CreateStore(string serviceId) => new InMemoryGrainStateStore();
}

public sealed class PostgresGrainStateStoreConformanceTests(Infrastructure.PostgresDatabase db)
    : GrainStateStoreConformanceTests, IClassFixture<Infrastructure.PostgresDatabase>
{
    protected override IGrainStateStore CreateStore(string serviceId) => new PostgresGrainStateStore(db.DataSource, serviceId);
}
