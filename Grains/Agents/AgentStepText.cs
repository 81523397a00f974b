using System.Text.RegularExpressions;
using Agents.Abstractions.Workflows;
using Agents.Memory.Agents;

namespace Agents.Grains.Agents;

/// <summary>Text helpers shared by the offline and the model-driven agent.</summary>
internal static partial class AgentStepText
{
    /// <summary>An answer without its [n] markers: what the agent remembers of what it said.</summary>
    public static string WithoutMarkers(string text) => Markers().Replace(text, "").Trim();

    /// <summary>The [n] numbers an answer cites, in order of first use.</summary>
    public static IReadOnlyList<int> CitedNumbers(string text) =>
        Markers().Matches(text).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(n => int.TryParse(n, out var v) ? v : 0).Where(v => v > 0).Distinct().ToArray();

    public static Citation ToCitation(RecalledMemory memory) => new(memory.Id, memory.Text, memory.Source);

    public static RecalledMemory ToRecalled(Citation citation) => new(citation.Id, citation.Text, citation.Source, 0);

    [GeneratedRegex(@"\s*\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Markers();
}
