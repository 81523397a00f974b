using Agents.Memory.Model;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// The keys of <c>memory_scope_epochs</c> (migration 0090): one per id a record's scope sets
/// (<c>user:&lt;id&gt;</c>, <c>agent:…</c>, <c>run:…</c>, <c>team:…</c>), each moved by every transaction that
/// changes a record carrying it. A record a scope contains carries every id the scope sets, so one of
/// them, <see cref="Of"/>, tells whether anything the scope contains changed.
/// </summary>
internal readonly record struct ScopeEpochKey(string Tenant, string Key)
{
    /// <summary>The key a held scope is checked by: its most specific id (run, user, agent, team), so
    /// writes elsewhere rarely move it.</summary>
    public static ScopeEpochKey Of(MemoryScope scope) => new(scope.Tenant,
        scope.RunId is { } run ? "run:" + run
        : scope.UserId is { } user ? "user:" + user
        : scope.AgentId is { } agent ? "agent:" + agent
        : "team:" + scope.TeamId);

    /// <summary><see cref="Of"/> in SQL, of the scope columns of the row <paramref name="alias"/> (a job's, a record's).</summary>
    public static string OfSql(string alias) =>
        $"CASE WHEN {alias}.run_id IS NOT NULL THEN 'run:' || {alias}.run_id WHEN {alias}.user_id IS NOT NULL THEN 'user:' || {alias}.user_id " +
        $"WHEN {alias}.agent_id IS NOT NULL THEN 'agent:' || {alias}.agent_id ELSE 'team:' || {alias}.team_id END";

    /// <summary>Every key a change to a record of <paramref name="scope"/> moves.</summary>
    public static IEnumerable<ScopeEpochKey> Moved(MemoryScope scope)
    {
        if (scope.UserId is { } user) yield return new(scope.Tenant, "user:" + user);
        if (scope.AgentId is { } agent) yield return new(scope.Tenant, "agent:" + agent);
        if (scope.RunId is { } run) yield return new(scope.Tenant, "run:" + run);
        if (scope.TeamId is { } team) yield return new(scope.Tenant, "team:" + team);
    }
}
