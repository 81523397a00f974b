using System.Text.Json;
using Agents.Abstractions;
using Agents.Client.Api;

namespace Agents.Silo.Api.Mem0;

/// <summary>
/// Reads the scope out of Mem0's <c>filters</c>: entity ids (<c>user_id</c>, <c>agent_id</c>,
/// <c>run_id</c>, <c>app_id</c>; <c>team_id</c> too), alone or under <c>AND</c>, each a string or
/// <c>"*"</c> (any). Other filters (OR, NOT, operators, dates, metadata, categories) are refused with
/// a 400 that says so, rather than ignored: a filter silently dropped would widen what is returned.
/// <c>app_id</c> names the team scope (Agents has teams where Mem0 has apps).
/// </summary>
public static class Mem0Filters
{
    private static readonly string[] Entities = ["user_id", "agent_id", "run_id", "app_id", "team_id"];

    public static MemoryScopeIds Read(JsonElement? filters)
    {
        if (filters is not { ValueKind: JsonValueKind.Object } f)
            throw new InvalidRequestException("'filters' must be an object naming the scope, e.g. {\"user_id\": \"alice\"}.");
        var ids = new Dictionary<string, string?>(StringComparer.Ordinal);
        Collect(f, ids, depth: 0);
        string? Id(string name) => ids.TryGetValue(name, out var v) ? v : null;
        var app = Id("app_id");
        var team = Id("team_id");
        if (app is not null && team is not null && app != team) throw new InvalidRequestException("'app_id' and 'team_id' name the same (team) scope; they differ.");
        var scope = new MemoryScopeIds(Id("user_id"), Id("agent_id"), Id("run_id"), team ?? app);
        if (scope.IsEmpty) throw new InvalidRequestException("'filters' must name at least one of user_id, agent_id, run_id and app_id with a value other than '*'.");
        return scope;
    }

    /// <summary>Refuses entity ids given at the top level of a search or list, as Mem0's v3 API does.</summary>
    public static void RefuseTopLevel(string? userId, string? agentId, string? runId, string? appId)
    {
        if (userId is not null || agentId is not null || runId is not null || appId is not null)
            throw new InvalidRequestException("Entity ids (user_id, agent_id, run_id, app_id) go inside 'filters', e.g. {\"filters\": {\"user_id\": \"alice\"}}.");
    }

    private static void Collect(JsonElement filter, Dictionary<string, string?> ids, int depth)
    {
        if (depth > 4) throw new InvalidRequestException("'filters' nests too deep.");
        foreach (var property in filter.EnumerateObject())
        {
            if (property.Name == "AND")
            {
                if (property.Value.ValueKind != JsonValueKind.Array) throw new InvalidRequestException("'AND' takes a list of filters.");
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object) throw new InvalidRequestException("Each filter under 'AND' is an object.");
                    Collect(item, ids, depth + 1);
                }
                continue;
            }
            if (!Entities.Contains(property.Name))
                throw new InvalidRequestException($"Filter '{Short(property.Name)}' is not supported by this server: filters name the scope (user_id, agent_id, run_id, app_id), alone or under AND, each a string or \"*\".");
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new InvalidRequestException($"Filter '{property.Name}' must be a string (an id, or \"*\" for any); operators such as 'in' are not supported.");
            var value = property.Value.GetString()!;
            var id = value == "*" ? null : value;
            if (ids.TryGetValue(property.Name, out var existing) && existing != id)
                throw new InvalidRequestException($"Filter '{property.Name}' is given twice with different values.");
            ids[property.Name] = id;
        }
    }

    private static string Short(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
