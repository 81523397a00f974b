using System.Net;
using Agents.Runtime.Membership;

namespace Agents.Tests.Integration.Runtime.Membership;

/// <summary>
/// The contract every <see cref="IMembershipTable"/> keeps, after Orleans' MembershipTableTestsBase: one
/// suite, run against the in-memory table and the PostgreSQL table. Each test uses its own cluster id.
/// </summary>
public abstract class MembershipTableConformanceTests
{
    private static int s_generation;

    /// <summary>A table over the cluster <paramref name="clusterId"/>; two calls with different ids must
    /// share the underlying store, so isolation between clusters is tested.</summary>
    protected abstract IMembershipTable CreateTable(string clusterId);

    private static CancellationToken None => CancellationToken.None;

    private async Task<IMembershipTable> NewClusterAsync()
    {
        var table = CreateTable($"cluster-{Guid.NewGuid():N}");
        await table.InitializeAsync(None);
        return table;
    }

    /// <summary>Millisecond resolution so every store round-trips it exactly.</summary>
    private static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    private static SiloAddress NewSilo(int port = 11111) =>
        new(new IPEndPoint(IPAddress.Loopback, port), Interlocked.Increment(ref s_generation));

    private static MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, SiloAddress? silo = null) => new()
    {
        Silo = silo ?? NewSilo(),
        Status = status,
        SiloName = "silo-a",
        HostName = "host-a",
        GatewayPort = 30000,
        Roles = ["gpu", "memory"],
        SuspectTimes = [new SuspectVote(NewSilo(22222), Now().AddSeconds(-1))],
        StartTime = Now().AddMinutes(-1),
        IAmAliveTime = Now(),
    };

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.Silo, actual.Silo);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.GatewayPort, actual.GatewayPort);
        Assert.Equal(expected.Roles, actual.Roles);
        Assert.Equal(expected.SuspectTimes, actual.SuspectTimes);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
    }

    [Fact]
    public async Task Initialize_twice_is_idempotent_and_reads_an_empty_table_at_version_zero()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));

        await table.InitializeAsync(None); // must not reset the version or drop rows

        var data = await table.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task Fresh_cluster_reads_empty()
    {
        var table = await NewClusterAsync();
        var data = await table.ReadAllAsync(None);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.ETag);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task Reading_a_cluster_that_was_never_initialized_is_a_clear_error()
    {
        var table = CreateTable($"never-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<MembershipTableNotInitializedException>(() => table.ReadAllAsync(None));
        Assert.Contains("InitializeAsync", error.Message);
    }

    [Fact]
    public async Task Writes_to_a_deleted_cluster_are_a_clear_error_not_a_lost_race()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        var read = await table.ReadAllAsync(None);
        Assert.True(await table.InsertRowAsync(entry, read.Version.Next(), None));
        read = await table.ReadAllAsync(None);
        await table.DeleteClusterAsync(None);

        await Assert.ThrowsAsync<MembershipTableNotInitializedException>(() => table.InsertRowAsync(NewEntry(), read.Version.Next(), None));
        await Assert.ThrowsAsync<MembershipTableNotInitializedException>(() => table.UpdateRowAsync(entry, read.Members[0].ETag, read.Version.Next(), None));
        await Assert.ThrowsAsync<MembershipTableNotInitializedException>(() => table.UpdateIAmAliveAsync(entry, None));
        await table.CleanupDefunctSiloEntriesAsync(Now(), None); // nothing to clean: no error
        await table.DeleteClusterAsync(None); // idempotent
    }

    [Fact]
    public async Task Insert_bumps_the_version_and_round_trips_every_field()
    {
        var table = await NewClusterAsync();
        var read = await table.ReadAllAsync(None);
        var entry = NewEntry();

        Assert.True(await table.InsertRowAsync(entry, read.Version.Next(), None));

        var data = await table.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(read.Version.ETag, data.Version.ETag);
        var (stored, etag) = Assert.Single(data.Members);
        Assert.NotNull(etag);
        AssertSameEntry(entry, stored);
    }

    [Fact]
    public async Task Insert_of_a_duplicate_silo_fails_and_changes_nothing()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));

        var read = await table.ReadAllAsync(None);
        Assert.False(await table.InsertRowAsync(entry with { SiloName = "impostor" }, read.Version.Next(), None));

        var data = await table.ReadAllAsync(None);
        Assert.Equal(read.Version, data.Version);
        Assert.Equal("silo-a", Assert.Single(data.Members).Entry.SiloName);
    }

    [Fact]
    public async Task Insert_with_a_stale_table_version_fails()
    {
        var table = await NewClusterAsync();
        var stale = (await table.ReadAllAsync(None)).Version.Next();
        Assert.True(await table.InsertRowAsync(NewEntry(), stale, None));

        Assert.False(await table.InsertRowAsync(NewEntry(), stale, None));
        Assert.Single((await table.ReadAllAsync(None)).Members);
    }

    [Fact]
    public async Task Update_succeeds_only_with_the_current_table_version_and_row_etag()
    {
        var table = await NewClusterAsync();
        var data = await table.ReadAllAsync(None);
        for (var i = 1; i <= 5; i++)
        {
            var entry = NewEntry();
            var inserted = data.Version.Next();
            Assert.True(await table.InsertRowAsync(entry, inserted, None));
            data = await table.ReadAllAsync(None);
            var etagBefore = data.Members.Single(m => m.Entry.Silo == entry.Silo).ETag;

            // Current row ETag, stale table version.
            Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, etagBefore, inserted, None));

            var next = data.Version.Next();
            var updated = entry with { Status = SiloStatus.Active };
            Assert.True(await table.UpdateRowAsync(updated, etagBefore, next, None));

            // Both stale now.
            Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, etagBefore, next, None));
            data = await table.ReadAllAsync(None);
            var (stored, etagAfter) = data.Members.Single(m => m.Entry.Silo == entry.Silo);
            AssertSameEntry(updated, stored);
            Assert.NotEqual(etagBefore, etagAfter);

            // Current table version, stale row ETag.
            Assert.False(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, etagBefore, data.Version.Next(), None));

            data = await table.ReadAllAsync(None);
            Assert.Equal(next.Version, data.Version.Version);
            Assert.Equal(i, data.Members.Count);
            Assert.Equal(etagAfter, data.Members.Single(m => m.Entry.Silo == entry.Silo).ETag);
        }
    }

    [Fact]
    public async Task Update_of_a_silo_without_a_row_fails()
    {
        var table = await NewClusterAsync();
        var data = await table.ReadAllAsync(None);
        Assert.False(await table.UpdateRowAsync(NewEntry(), "0", data.Version.Next(), None));
        Assert.Equal(0, (await table.ReadAllAsync(None)).Version.Version);
    }

    [Fact]
    public async Task Concurrent_inserts_of_one_silo_let_exactly_one_win()
    {
        var table = await NewClusterAsync();
        var version = (await table.ReadAllAsync(None)).Version.Next();
        var entry = NewEntry();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => table.InsertRowAsync(entry, version, None))));

        Assert.Single(results, ok => ok);
        Assert.Single((await table.ReadAllAsync(None)).Members);
    }

    [Fact]
    public async Task Parallel_updates_under_compare_and_swap_have_exactly_one_winner_per_version()
    {
        const int Writers = 12;
        const int UpdatesPerWriter = 3;
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));

        var won = new System.Collections.Concurrent.ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var n = 0; n < UpdatesPerWriter; n++)
            {
                while (true)
                {
                    var data = await table.ReadAllAsync(None);
                    var (row, etag) = data.Members.Single();
                    var next = data.Version.Next();
                    if (await table.UpdateRowAsync(row with { SiloName = $"writer-{writer}-{n}" }, etag, next, None))
                    {
                        won.Add(next.Version);
                        break;
                    }
                }
            }
        })));

        // Every version from 2 on was won by exactly one writer, none was skipped.
        Assert.Equal(Enumerable.Range(2, Writers * UpdatesPerWriter), won.Order());
        var final = await table.ReadAllAsync(None);
        Assert.Equal(1 + Writers * UpdatesPerWriter, final.Version.Version);
        Assert.Single(final.Members);
    }

    [Fact]
    public async Task I_am_alive_writes_the_time_without_bumping_the_version_or_the_row_etag()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));
        var before = await table.ReadAllAsync(None);

        var alive = Now().AddSeconds(5);
        await table.UpdateIAmAliveAsync(entry with { IAmAliveTime = alive, Status = SiloStatus.Dead }, None);

        var after = await table.ReadAllAsync(None);
        Assert.Equal(before.Version, after.Version);
        var (stored, etag) = Assert.Single(after.Members);
        Assert.Equal(before.Members[0].ETag, etag);
        Assert.Equal(alive, stored.IAmAliveTime);
        Assert.Equal(SiloStatus.Joining, stored.Status); // only the time is written
    }

    [Fact]
    public async Task I_am_alive_of_a_silo_without_a_row_is_a_clear_error()
    {
        var table = await NewClusterAsync();
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => table.UpdateIAmAliveAsync(NewEntry(), None));
        Assert.Contains("must join", error.Message);
    }

    [Fact]
    public async Task Read_row_returns_the_version_and_only_that_silo()
    {
        var table = await NewClusterAsync();
        var first = NewEntry();
        var second = NewEntry();
        Assert.True(await table.InsertRowAsync(first, (await table.ReadAllAsync(None)).Version.Next(), None));
        Assert.True(await table.InsertRowAsync(second, (await table.ReadAllAsync(None)).Version.Next(), None));

        var row = await table.ReadRowAsync(second.Silo, None);
        Assert.Equal(2, row.Version.Version);
        AssertSameEntry(second, Assert.Single(row.Members).Entry);

        var missing = await table.ReadRowAsync(NewSilo(), None);
        Assert.Equal(2, missing.Version.Version);
        Assert.Empty(missing.Members);
    }

    [Fact]
    public async Task Cleanup_removes_only_rows_of_silos_not_active_and_silent_since_the_date()
    {
        var table = await NewClusterAsync();
        var longDead = NewEntry(SiloStatus.Dead) with { StartTime = Now().AddDays(-10), IAmAliveTime = Now().AddDays(-10) };
        var stuckJoining = NewEntry(SiloStatus.Joining) with { StartTime = Now().AddDays(-10), IAmAliveTime = Now().AddDays(-10) };
        var silentButActive = NewEntry(SiloStatus.Active) with { StartTime = Now().AddDays(-10), IAmAliveTime = Now().AddDays(-10) };
        var recentlyDead = NewEntry(SiloStatus.Dead);
        foreach (var entry in new[] { longDead, stuckJoining, silentButActive, recentlyDead })
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None));

        await table.CleanupDefunctSiloEntriesAsync(Now().AddDays(-3), None);

        var data = await table.ReadAllAsync(None);
        Assert.Equal(
            new[] { silentButActive.Silo, recentlyDead.Silo }.OrderBy(s => s.Generation),
            data.Members.Select(m => m.Entry.Silo).OrderBy(s => s.Generation));
        Assert.Equal(4, data.Version.Version);
    }

    [Fact]
    public async Task Delete_cluster_removes_its_version_and_rows_and_it_can_start_over()
    {
        var table = await NewClusterAsync();
        Assert.True(await table.InsertRowAsync(NewEntry(), (await table.ReadAllAsync(None)).Version.Next(), None));

        await table.DeleteClusterAsync(None);

        await Assert.ThrowsAsync<MembershipTableNotInitializedException>(() => table.ReadAllAsync(None));
        await table.InitializeAsync(None);
        var data = await table.ReadAllAsync(None);
        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task Clusters_are_isolated()
    {
        var a = await NewClusterAsync();
        var b = await NewClusterAsync();
        var silo = NewSilo();
        Assert.True(await a.InsertRowAsync(NewEntry(silo: silo), (await a.ReadAllAsync(None)).Version.Next(), None));
        // The same silo address may be a member of another cluster.
        Assert.True(await b.InsertRowAsync(NewEntry(SiloStatus.Active, silo), (await b.ReadAllAsync(None)).Version.Next(), None));
        Assert.True(await b.InsertRowAsync(NewEntry(), (await b.ReadAllAsync(None)).Version.Next(), None));

        await b.DeleteClusterAsync(None);

        var data = await a.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(SiloStatus.Joining, Assert.Single(data.Members).Entry.Status);
    }

    [Fact]
    public async Task Malformed_etags_and_versions_are_rejected_with_clear_errors()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        var read = await table.ReadAllAsync(None);
        Assert.True(await table.InsertRowAsync(entry, read.Version.Next(), None));
        read = await table.ReadAllAsync(None);

        var badRow = await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateRowAsync(entry, "not-an-etag", read.Version.Next(), None));
        Assert.Contains("not-an-etag", badRow.Message);
        var noAdvance = await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateRowAsync(entry, read.Members[0].ETag, read.Version, None));
        Assert.Contains("does not advance", noAdvance.Message);
        var badStatus = await Assert.ThrowsAsync<ArgumentException>(() => table.InsertRowAsync(NewEntry((SiloStatus)9), read.Version.Next(), None));
        Assert.Contains("not a silo status", badStatus.Message);

        Assert.Equal(read.Version, (await table.ReadAllAsync(None)).Version);
    }
}

public sealed class InMemoryMembershipTableConformanceTests : MembershipTableConformanceTests
{
    private readonly InMemoryMembershipStore _store = new();

    protected override IMembershipTable CreateTable(string clusterId) => new InMemoryMembershipTable(_store, clusterId);
}

public sealed class PostgresMembershipTableConformanceTests(Infrastructure.PostgresDatabase db)
    : MembershipTableConformanceTests, IClassFixture<Infrastructure.PostgresDatabase>
{
    protected override IMembershipTable CreateTable(string clusterId) => new PostgresMembershipTable(db.DataSource, clusterId);
}
