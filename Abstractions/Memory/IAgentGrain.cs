using Agents.Abstractions.Workflows;
using Orleans.Concurrency;

namespace Agents.Abstractions.Memory;

/// <summary>
/// An agent of a team (key: <see cref="AgentKey.ToString"/>). It keeps its own memory and writes what
/// it shares to its team's memory; recall searches both.
/// </summary>
[Alias("Agents.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Stores a message the agent saw or said (in its own memory, and in the team's when
    /// <paramref name="shareWithTeam"/>). Idempotent under a retry, as an add is.</summary>
    [Alias("Remember")]
    Task<MemoryAddReceipt> RememberAsync(TurnInput message, DateTimeOffset observedAt, bool shareWithTeam, CancellationToken cancellationToken = default);

    /// <summary>The agent's and its team's memories most relevant to <paramref name="query"/>, fused.</summary>
    [Alias("Recall"), ReadOnly]
    Task<IReadOnlyList<MemoryHit>> RecallAsync(string query, int topK, CancellationToken cancellationToken = default);

    /// <summary>
    /// Does one step of a workflow run: recalls from its own and the team's memory, answers (through its
    /// model, which may call the <c>recall</c> and <c>remember</c> functions, or offline by extraction
    /// with citations), and writes what it learnt to its memory, keyed by run and step so that a step run
    /// again stores nothing twice. A model that fails or answers garbage fails the step with
    /// <see cref="ModelFailedException"/>.
    /// </summary>
    [Alias("Act"), ResponseTimeout("00:30:00")]
    Task<AgentStepResult> ActAsync(AgentStepRequest step, CancellationToken cancellationToken = default);

    /// <summary>Waits for the agent's and team's pending memory work.</summary>
    [Alias("WaitForIdle"), AlwaysInterleave, ResponseTimeout("00:10:00")]
    Task WaitForIdleAsync(CancellationToken cancellationToken = default);
}
