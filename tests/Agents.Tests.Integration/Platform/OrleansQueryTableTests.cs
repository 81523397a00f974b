using System.Text.RegularExpressions;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Platform;

/// <summary>The OrleansQuery rows (0050-0053) against what the Orleans 10.4.2 providers read: every key
/// they look up, and in each statement only parameters the provider binds for it.</summary>
public sealed partial class OrleansQueryTableTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly string[] Silo = ["DeploymentId", "Address", "Port", "Generation"];
    private static readonly string[] State = ["ServiceId", "GrainIdHash", "GrainIdN0", "GrainIdN1", "GrainTypeHash", "GrainTypeString", "GrainIdExtensionString"];

    /// <summary>Key → the parameters the provider binds when it runs that statement.</summary>
    private static readonly Dictionary<string, string[]> Contract = new()
    {
        // Microsoft.Orleans.Clustering.AdoNet (all required but CleanupDefunctSiloEntryKey, which it prefers when present)
        ["InsertMembershipVersionKey"] = ["DeploymentId"],
        ["MembershipReadRowKey"] = Silo,
        ["MembershipReadAllKey"] = ["DeploymentId"],
        ["InsertMembershipKey"] = [.. Silo, "SiloName", "HostName", "Status", "ProxyPort", "StartTime", "IAmAliveTime", "Version"],
        ["UpdateMembershipKey"] = [.. Silo, "Status", "SuspectTimes", "IAmAliveTime", "Version"],
        ["UpdateIAmAlivetimeKey"] = [.. Silo, "IAmAliveTime"],
        ["GatewaysQueryKey"] = ["DeploymentId", "Status"],
        ["DeleteMembershipTableEntriesKey"] = ["DeploymentId"],
        ["CleanupDefunctSiloEntriesKey"] = ["DeploymentId", "IAmAliveTime"],
        ["CleanupDefunctSiloEntryKey"] = [.. Silo, "SuspectTimes", "StartTime", "IAmAliveTime"],
        // Microsoft.Orleans.Persistence.AdoNet (DeleteStorageKey only with DeleteStateOnClear)
        ["ReadFromStorageKey"] = State,
        ["WriteToStorageKey"] = [.. State, "GrainStateVersion", "PayloadBinary"],
        ["ClearStorageKey"] = [.. State, "GrainStateVersion"],
        ["DeleteStorageKey"] = [.. State, "GrainStateVersion"],
        // Microsoft.Orleans.Reminders.AdoNet
        ["UpsertReminderRowKey"] = ["ServiceId", "GrainHash", "GrainId", "ReminderName", "StartTime", "Period"],
        ["ReadReminderRowKey"] = ["ServiceId", "GrainId", "ReminderName"],
        ["ReadReminderRowsKey"] = ["ServiceId", "GrainId"],
        ["ReadRangeRows1Key"] = ["ServiceId", "BeginHash", "EndHash"],
        ["ReadRangeRows2Key"] = ["ServiceId", "BeginHash", "EndHash"],
        ["DeleteReminderRowKey"] = ["ServiceId", "GrainId", "ReminderName", "Version"],
        ["DeleteReminderRowsKey"] = ["ServiceId"],
    };

    [Fact]
    public async Task Every_statement_the_providers_read_is_there_and_uses_only_their_parameters()
    {
        var queries = new Dictionary<string, string>();
        // The providers' own query, unquoted, as they send it.
        await using (var command = db.DataSource.CreateCommand("SELECT QueryKey, QueryText FROM OrleansQuery"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                queries[reader.GetString(reader.GetOrdinal("QueryKey"))] = reader.GetString(reader.GetOrdinal("QueryText"));

        Assert.Equal(Contract.Keys.Order(StringComparer.Ordinal), queries.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in queries)
        {
            var used = Parameter().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
            Assert.True(used.IsSubsetOf(Contract[key]), $"{key} uses parameters the provider does not bind: {string.Join(", ", used.Except(Contract[key]))}");
        }
    }

    [GeneratedRegex(@"@([A-Za-z][A-Za-z0-9]*)")]
    private static partial Regex Parameter();
}
