using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Integration.Platform.TestGrains;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform;

/// <summary>Real silos form a cluster through ADO.NET clustering over our schema (0051), and a client
/// finds them through the gateway query.</summary>
public sealed class OrleansClusterTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Two_silos_form_a_cluster_serve_a_client_and_see_a_stopped_silo_dead()
    {
        var cluster = new PlatformCluster(db.ConnectionString);
        await using var a = await cluster.StartSiloAsync("a");
        await using var b = await cluster.StartSiloAsync("b");

        // Each silo sees both Active, and the table says the same.
        await Eventually.TrueAsync(
            () => BothActive(a.Membership) && BothActive(b.Membership),
            "each silo sees both silos Active");
        bool BothActive(IReadOnlyDictionary<SiloAddress, SiloStatus> view) =>
            view.GetValueOrDefault(a.Address) == SiloStatus.Active && view.GetValueOrDefault(b.Address) == SiloStatus.Active;

        var rows = await MembershipRowsAsync(cluster.ClusterId);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal((int)SiloStatus.Active, r.Status));
        Assert.All(rows, r => Assert.True(r.ProxyPort > 0));
        // Each silo's join and each status change went through the version row.
        Assert.True(await ScalarAsync<int>("SELECT version FROM orleans_membership_version WHERE cluster_id = @c", cluster.ClusterId) >= 4);

        // A client connects through the gateway list (GatewaysQueryKey) and reaches grains on both silos.
        await using var client = await cluster.StartClientAsync();
        var silosSeen = new HashSet<string>();
        var key = 0L;
        await Eventually.TrueAsync(async () =>
        {
            silosSeen.Add(await client.Client.GetGrain<IWhereGrain>(key++).SiloAsync());
            return silosSeen.Count == 2;
        }, "randomly placed grains answer from both silos");
        Assert.True(silosSeen.SetEquals([a.Address.ToString(), b.Address.ToString()]));

        // A silo that stops marks itself Dead; the other silo sees it so and stops offering it as a gateway.
        await b.StopAsync();
        await Eventually.TrueAsync(
            () => a.Membership.GetValueOrDefault(b.Address, SiloStatus.Dead) == SiloStatus.Dead,
            "the remaining silo sees the stopped one Dead");
        rows = await MembershipRowsAsync(cluster.ClusterId);
        Assert.Equal((int)SiloStatus.Dead, rows.Single(r => r.Port == b.Address.Endpoint.Port).Status);
        Assert.Equal((int)SiloStatus.Active, rows.Single(r => r.Port == a.Address.Endpoint.Port).Status);

        // The client goes on working against the silo that is left.
        await Eventually.TrueAsync(async () =>
            await client.Client.GetGrain<IWhereGrain>(key++).SiloAsync() == a.Address.ToString(),
            "the client's calls are answered by the remaining silo");
    }

    private sealed record MembershipRow(string Address, int Port, int Generation, int Status, int ProxyPort);

    private async Task<List<MembershipRow>> MembershipRowsAsync(string clusterId)
    {
        await using var command = db.DataSource.CreateCommand(
            "SELECT address, port, generation, status, proxy_port FROM orleans_membership_silo WHERE cluster_id = $1");
        command.Parameters.AddWithValue(clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync())
            rows.Add(new MembershipRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)));
        return rows;
    }

    private async Task<T> ScalarAsync<T>(string sql, string clusterId)
    {
        await using var command = db.DataSource.CreateCommand(sql.Replace("@c", "$1", StringComparison.Ordinal));
        command.Parameters.AddWithValue(clusterId);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
