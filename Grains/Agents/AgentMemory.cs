using Agents.Abstractions.Memory;
using Agents.Memory.Agents;

namespace Agents.Grains.Agents;

/// <summary>An agent's two memories, its own and its team's, as an agent step uses them: recall from
/// both (each memory keeps its source), and remember into its own.</summary>
internal sealed class AgentMemory(IGrainFactory grains, AgentKey key)
{
    private static readonly IReadOnlyList<string> Recallable = ["note", "fact"];

    private IMemoryGrain Own => grains.GetGrain<IMemoryGrain>(key.AgentScope.ToGrainKey());
    private IMemoryGrain Team => grains.GetGrain<IMemoryGrain>(key.TeamScope.ToGrainKey());

    public string AgentSource => $"agent:{key.Agent}";

    /// <summary>Both memories' hits, one per text (a memory shared with the team is in both), with the
    /// better of its two hybrid scores, best first.</summary>
    public async Task<IReadOnlyList<RecalledMemory>> RecallAsync(string query, int topK, CancellationToken cancellationToken)
    {
        // Twice as many as asked: a sentence stored as a note and as a fact is one memory here.
        var request = new MemoryQuery(query, Math.Min(2 * topK, 100), Kinds: Recallable);
        var lists = await Task.WhenAll(Own.SearchAsync(request, cancellationToken), Team.SearchAsync(request, cancellationToken));
        var merged = new Dictionary<string, RecalledMemory>(StringComparer.Ordinal);
        for (var list = 0; list < lists.Length; list++)
        {
            foreach (var hit in lists[list])
            {
                if (!merged.TryGetValue(hit.Content, out var seen) || hit.Score > seen.Score)
                    merged[hit.Content] = new RecalledMemory(hit.Id, hit.Content, list == 0 ? AgentSource : "team", hit.Score);
            }
        }
        return merged.Values.OrderByDescending(m => m.Score).ThenBy(m => m.Id).Take(topK).ToArray();
    }

    /// <summary>Stores <paramref name="text"/> in the agent's own memory under <paramref name="idempotencyKey"/>:
    /// the same key again stores nothing.</summary>
    public Task<MemoryAddReceipt> RememberAsync(string text, string idempotencyKey, string source, DateTimeOffset at, CancellationToken cancellationToken) =>
        Own.AddAsync(new MemoryInput([new TurnInput(key.Agent, text, source)], at, idempotencyKey), cancellationToken);
}
