using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Workflows;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Agents.Grains.Agents;

/// <summary>
/// An agent of a team: its own memory scope plus the team's shared one. Recall asks both memory
/// grains at once and fuses the two ranked lists by reciprocal rank, so neither scope's scores need
/// to be comparable with the other's. A message shared with the team is stored in both scopes; the
/// two copies count as one memory (same content), scored by both lists. A workflow step runs through
/// its model (<see cref="ModelAgent"/>) or, with none, offline (<see cref="OfflineAgent"/>); either
/// way the agent then remembers what it said.
/// </summary>
public sealed class AgentGrain(ILoggerFactory loggers, IEmbeddingGenerator<string, Embedding<float>> embedder) : Grain, IAgentGrain
{
    private const int RrfK = 60;
    private AgentKey? _parsed;

    /// <summary>Parsed on first use, so a malformed key fails each call with a clear error.</summary>
    private AgentKey Key => _parsed ??= AgentKey.Parse(this.GetPrimaryKeyString());

    private IMemoryGrain Own => GrainFactory.GetGrain<IMemoryGrain>(Key.AgentScope.ToGrainKey());
    private IMemoryGrain Team => GrainFactory.GetGrain<IMemoryGrain>(Key.TeamScope.ToGrainKey());

    public async Task<MemoryAddReceipt> RememberAsync(TurnInput message, DateTimeOffset observedAt, bool shareWithTeam, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var input = new MemoryInput([message with { Speaker = message.Speaker ?? Key.Agent }], observedAt);
        var own = Own.AddAsync(input, cancellationToken);
        if (shareWithTeam) await Team.AddAsync(input, cancellationToken);
        return await own;
    }

    public async Task<IReadOnlyList<MemoryHit>> RecallAsync(string query, int topK, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var request = new MemoryQuery(query, topK);
        var lists = await Task.WhenAll(Own.SearchAsync(request, cancellationToken), Team.SearchAsync(request, cancellationToken));
        var fused = new Dictionary<string, (MemoryHit Hit, double Score)>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            for (var rank = 0; rank < list.Count; rank++)
            {
                var hit = list[rank];
                var score = 1.0 / (RrfK + rank + 1);
                fused[hit.Content] = fused.TryGetValue(hit.Content, out var seen) ? (seen.Hit, seen.Score + score) : (hit, score);
            }
        }
        return fused.Values.OrderByDescending(v => v.Score).Take(topK).Select(v => v.Hit with { Score = v.Score }).ToArray();
    }

    public Task WaitForIdleAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Own.WaitForIdleAsync(cancellationToken), Team.WaitForIdleAsync(cancellationToken));

    public async Task<AgentStepResult> ActAsync(AgentStepRequest step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Agent.Id != Key.Agent) throw new ArgumentException($"Step {step.Step} is for agent '{step.Agent.Id}', not '{Key.Agent}'.", nameof(step));
        var memory = new AgentMemory(GrainFactory, Key);
        var model = step.Agent.Model;
        var offline = model == WorkflowAgent.OfflineModel || !await HasChatAsync(cancellationToken);
        if (offline && model is not WorkflowAgent.OfflineModel and not WorkflowAgent.DefaultModel)
            throw new ModelFailedException($"Agent '{Key.Agent}' asks for model '{model}', but no chat endpoint is configured (Agents__Llm__BaseUrl); use 'default' or 'offline'.", "unavailable");
        var result = offline
            ? await OfflineAgent.RunAsync(step, memory, embedder, cancellationToken)
            : await ModelAgent.RunAsync(step, model == WorkflowAgent.DefaultModel ? null : model, memory, GrainFactory, loggers, cancellationToken);
        if (step.Kind == AgentStepKind.Plan || result.Output.Length == 0) return result;

        // What the agent said, remembered once per run and step (a step run again stores nothing new).
        var receipt = await memory.RememberAsync(AgentStepText.WithoutMarkers(result.Output), $"{step.RunId}#{step.Step}", $"{step.RunId}#{step.Step}", step.At, cancellationToken);
        return result with { MemoryWrites = [.. result.MemoryWrites, receipt.EpisodeId, .. receipt.NoteIds] };
    }

    /// <summary>Whether the inference pool has a chat endpoint; without a pool at all, agents answer offline.</summary>
    private async Task<bool> HasChatAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GrainFactory.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).HasChatAsync(cancellationToken);
        }
        catch (NoSiloWithRoleException)
        {
            return false;
        }
    }
}
