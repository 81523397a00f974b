using System.Text.RegularExpressions;

namespace Agents.Abstractions.Workflows;

/// <summary>Every problem of a workflow definition at once, each naming its field, before anything runs.</summary>
public static partial class WorkflowValidator
{
    public const int MaxTextLength = 8_000;
    public const int MaxAgents = 32;
    public const int MaxKnowledge = 1_000;

    public static IReadOnlyList<string> Validate(WorkflowDefinition? definition)
    {
        var problems = new List<string>();
        if (definition is null) return ["the workflow is empty"];
        Name(definition.Name, "name", problems);
        Name(definition.Team, "team", problems);
        Text(definition.Task, "task", problems);

        var agents = definition.Agents ?? [];
        if (agents.Count == 0) problems.Add("agents: at least one agent is required");
        if (agents.Count > MaxAgents) problems.Add($"agents: at most {MaxAgents} agents are allowed, not {agents.Count}");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < agents.Count; i++)
        {
            var agent = agents[i];
            if (agent is null)
            {
                problems.Add($"agents[{i}]: is empty");
                continue;
            }
            var where = string.IsNullOrWhiteSpace(agent.Id) ? $"agents[{i}]" : $"agents[{i}] ({agent.Id})";
            if (Name(agent.Id, $"agents[{i}].id", problems) && !ids.Add(agent.Id))
                problems.Add($"{where}: the id '{agent.Id}' is used by another agent");
            Text(agent.Role, $"{where}.role", problems);
            if (agent.Instructions is not null) Text(agent.Instructions, $"{where}.instructions", problems);
            if (string.IsNullOrWhiteSpace(agent.Model)) problems.Add($"{where}.model: is empty; use 'default', 'offline' or a model name");
        }

        if (!WorkflowTopology.All.Contains(definition.Topology ?? "", StringComparer.Ordinal))
            problems.Add($"topology: '{definition.Topology}' is not one of {string.Join(", ", WorkflowTopology.All)}");
        if (definition.Topology == WorkflowTopology.ManagerWorkers)
        {
            if (string.IsNullOrWhiteSpace(definition.Manager)) problems.Add("manager: manager-workers needs a manager (one of the agents' ids)");
            else if (!ids.Contains(definition.Manager)) problems.Add($"manager: '{definition.Manager}' is not one of the agents ({string.Join(", ", ids)})");
            if (agents.Count < 2) problems.Add("agents: manager-workers needs a manager and at least one worker");
        }
        else if (definition.Manager is not null)
        {
            problems.Add($"manager: only manager-workers has a manager, not {definition.Topology}");
        }
        if (definition.Topology == WorkflowTopology.RoundRobin && agents.Count < 2)
            problems.Add("agents: round-robin needs at least two agents");

        var limits = definition.EffectiveLimits;
        if (limits.Steps is < 1 or > WorkflowLimits.MaxSteps) problems.Add($"limits.steps: {limits.Steps} is out of range (1 to {WorkflowLimits.MaxSteps})");
        if (limits.Seconds is < 1 or > WorkflowLimits.MaxSeconds) problems.Add($"limits.seconds: {limits.Seconds} is out of range (1 to {WorkflowLimits.MaxSeconds})");
        var needed = definition.Topology switch
        {
            WorkflowTopology.ManagerWorkers => agents.Count + 1,   // plan, each worker, merge
            WorkflowTopology.RoundRobin => agents.Count,           // one full turn
            _ => agents.Count,
        };
        if (limits.Steps is >= 1 and <= WorkflowLimits.MaxSteps && agents.Count > 0 && limits.Steps < needed)
            problems.Add($"limits.steps: {limits.Steps} is too few for {agents.Count} agents in {definition.Topology} (at least {needed})");

        if (!WorkflowOnError.All.Contains(definition.OnError ?? "", StringComparer.Ordinal))
            problems.Add($"on_error: '{definition.OnError}' is not one of {string.Join(", ", WorkflowOnError.All)}");

        var knowledge = definition.Knowledge ?? [];
        if (knowledge.Count > MaxKnowledge) problems.Add($"knowledge: at most {MaxKnowledge} entries are allowed, not {knowledge.Count}");
        for (var i = 0; i < knowledge.Count; i++) Text(knowledge[i], $"knowledge[{i}]", problems);
        return problems;
    }

    private static bool Name(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field}: is missing");
            return false;
        }
        if (!NamePattern().IsMatch(value))
        {
            problems.Add($"{field}: '{value}' must be 1 to 64 letters, digits, '-', '_' or '.'");
            return false;
        }
        return true;
    }

    private static void Text(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value)) problems.Add($"{field}: is missing");
        else if (value.Length > MaxTextLength) problems.Add($"{field}: is {value.Length} characters long; at most {MaxTextLength} are allowed");
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) problems.Add($"{field}: contains a control character");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
    private static partial Regex NamePattern();
}
