using System.Globalization;
using Agents.Abstractions.Workflows;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Agents.Client.Workflows;

/// <summary>
/// Reads a workflow definition written by hand in YAML (or JSON, which YAML reads too). Every problem
/// is collected, each with its line where the text has one: a syntax error, an unknown field (with the
/// field meant, when it is a near miss), a value of the wrong type, then everything
/// <see cref="WorkflowValidator"/> finds. Nothing is thrown for a bad definition.
/// </summary>
public static class WorkflowDefinitionReader
{
    private static readonly string[] RootFields = ["name", "team", "task", "knowledge", "agents", "topology", "manager", "limits", "on_error"];
    private static readonly string[] AgentFields = ["id", "role", "instructions", "model"];
    private static readonly string[] LimitFields = ["steps", "seconds"];

    /// <summary>Deepest nesting of lists and mappings read: a workflow needs four levels; the YAML
    /// representation model builds nodes recursively, so a hostile document could exhaust the stack.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most problems reported at once: a document of many thousand unknown fields gets these, then a count.</summary>
    public const int MaxProblems = 50;

    public static WorkflowDefinitionRead Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<string>();
        YamlMappingNode? root;
        try
        {
            if (DepthOf(text) > MaxDepth) return new WorkflowDefinitionRead(null, [$"the document nests lists and mappings deeper than {MaxDepth} levels"]);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
            if (stream.Documents.Count > 1) problems.Add("the file holds more than one document; write one workflow per file");
        }
        catch (YamlException e)
        {
            return new WorkflowDefinitionRead(null, [$"line {e.Start.Line}: {e.Message}"]);
        }
        if (root is null) return new WorkflowDefinitionRead(null, ["the file holds no workflow (a mapping with name, team, task, agents...)"]);

        var fields = Fields(root, RootFields, "", problems);
        var agents = new List<WorkflowAgent>();
        if (fields.TryGetValue("agents", out var agentsNode))
        {
            if (agentsNode is YamlSequenceNode list)
            {
                var i = 0;
                foreach (var item in list)
                {
                    var where = $"agents[{i++}]";
                    if (item is not YamlMappingNode agent)
                    {
                        problems.Add($"{At(item)}{where}: an agent is a mapping with id, role, instructions and model");
                        continue;
                    }
                    var a = Fields(agent, AgentFields, where + ".", problems);
                    agents.Add(new WorkflowAgent(
                        Scalar(a, "id", where + ".", problems) ?? "",
                        Scalar(a, "role", where + ".", problems) ?? "",
                        Scalar(a, "instructions", where + ".", problems),
                        Scalar(a, "model", where + ".", problems) ?? WorkflowAgent.DefaultModel));
                }
            }
            else
            {
                problems.Add($"{At(agentsNode)}agents: must be a list of agents");
            }
        }

        WorkflowLimits? limits = null;
        if (fields.TryGetValue("limits", out var limitsNode))
        {
            if (limitsNode is YamlMappingNode map)
            {
                var l = Fields(map, LimitFields, "limits.", problems);
                var defaults = new WorkflowLimits();
                limits = new WorkflowLimits(Int(l, "steps", "limits.", problems) ?? defaults.Steps, Int(l, "seconds", "limits.", problems) ?? defaults.Seconds);
            }
            else
            {
                problems.Add($"{At(limitsNode)}limits: must be a mapping with steps and seconds");
            }
        }

        List<string>? knowledge = null;
        if (fields.TryGetValue("knowledge", out var knowledgeNode))
        {
            if (knowledgeNode is YamlSequenceNode entries)
            {
                knowledge = [];
                foreach (var entry in entries)
                {
                    if (entry is YamlScalarNode { Value: { } value }) knowledge.Add(value);
                    else problems.Add($"{At(entry)}knowledge: each entry is a text");
                }
            }
            else
            {
                problems.Add($"{At(knowledgeNode)}knowledge: must be a list of texts");
            }
        }

        var definition = new WorkflowDefinition(
            Scalar(fields, "name", "", problems) ?? "",
            Scalar(fields, "team", "", problems) ?? "",
            Scalar(fields, "task", "", problems) ?? "",
            agents,
            Scalar(fields, "topology", "", problems) ?? WorkflowTopology.Sequential,
            Scalar(fields, "manager", "", problems),
            limits,
            Scalar(fields, "on_error", "", problems) ?? WorkflowOnError.Fail,
            knowledge);
        problems.AddRange(WorkflowValidator.Validate(definition));
        if (problems.Count > MaxProblems)
        {
            var more = problems.Count - MaxProblems;
            problems.RemoveRange(MaxProblems, more);
            problems.Add($"... and {more} more problems");
        }
        return new WorkflowDefinitionRead(problems.Count == 0 ? definition : null, problems);
    }

    /// <summary>The deepest nesting in the text (every document: all are loaded), read as a stream of parser
    /// events (the parser keeps its own stack, so this walk is safe at any depth); stops once past the limit.</summary>
    private static int DepthOf(string text)
    {
        var parser = new Parser(new StringReader(text));
        int depth = 0, deepest = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    deepest = Math.Max(deepest, ++depth);
                    if (deepest > MaxDepth) return deepest;
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
        return deepest;
    }

    public static async Task<WorkflowDefinitionRead> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) return new WorkflowDefinitionRead(null, [$"{path}: no such file"]);
        return Read(await File.ReadAllTextAsync(path, cancellationToken));
    }

    private static Dictionary<string, YamlNode> Fields(YamlMappingNode map, string[] known, string prefix, List<string> problems)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(key))
            {
                // A near miss is a short name; a long key is shown cut and not compared.
                var near = key.Length <= 32 ? known.MinBy(k => Distance(k, key)) : null;
                if (key.Length > 64) key = key[..64] + "...";
                problems.Add($"{At(keyNode)}{prefix}{key}: unknown field{(near is not null && Distance(near, key) <= 2 ? $" (did you mean '{near}'?)" : "")}; known: {string.Join(", ", known)}");
                continue;
            }
            if (!fields.TryAdd(key, value)) problems.Add($"{At(keyNode)}{prefix}{key}: given twice");
        }
        return fields;
    }

    private static string? Scalar(Dictionary<string, YamlNode> fields, string key, string prefix, List<string> problems)
    {
        if (!fields.TryGetValue(key, out var node)) return null;
        if (node is YamlScalarNode scalar) return scalar.Value;
        problems.Add($"{At(node)}{prefix}{key}: must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    private static int? Int(Dictionary<string, YamlNode> fields, string key, string prefix, List<string> problems)
    {
        var text = Scalar(fields, key, prefix, problems);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        problems.Add($"{At(fields[key])}{prefix}{key}: '{text}' is not a whole number");
        return null;
    }

    private static string At(YamlNode node) => node.Start.Line > 0 ? $"line {node.Start.Line}: " : "";

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
