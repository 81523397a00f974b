using System.ComponentModel;
using System.Text;
using Agents.Memory.Agents;
using Microsoft.SemanticKernel;

namespace Agents.Grains.Agents;

/// <summary>
/// The agent's memory as Semantic Kernel functions the model may call: <c>recall</c> searches the
/// agent's and its team's memory and numbers what it finds, so the answer can cite it as [n];
/// <c>remember</c> stores a fact in the agent's own memory (keyed by run and step, so a step run again
/// stores nothing twice).
/// </summary>
internal sealed class MemoryPlugin(AgentMemory memory, MemoryLedger ledger, string runId, int step, DateTimeOffset at)
{
    private int _remembered;

    [KernelFunction("recall")]
    [Description("Searches your own memory and your team's memory. Returns numbered memories; cite the ones you use as [n].")]
    public async Task<string> RecallAsync([Description("What to look for, as a short question or phrase.")] string query, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query)) return "Give a query to recall.";
        var found = await memory.RecallAsync(query, 6, cancellationToken);
        if (found.Count == 0) return "Nothing in memory matches.";
        var text = new StringBuilder();
        foreach (var m in found) text.Append('[').Append(ledger.Number(m)).Append("] ").AppendLine(m.Text);
        return text.ToString();
    }

    [KernelFunction("remember")]
    [Description("Stores a fact in your own memory for later runs.")]
    public async Task<string> RememberAsync([Description("The fact, as one sentence.")] string fact, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(fact)) return "Give the fact to remember.";
        var n = Interlocked.Increment(ref _remembered);
        var receipt = await memory.RememberAsync(fact, $"{runId}#{step}#remember-{n}", $"{runId}#{step}", at, cancellationToken);
        ledger.Written(receipt.EpisodeId);
        foreach (var id in receipt.NoteIds) ledger.Written(id);
        return "Remembered.";
    }
}
