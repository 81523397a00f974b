using System.ComponentModel;
using Agents.Abstractions;
using Agents.Client.Api;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Agents.Client.Mcp;

/// <summary>
/// The memory tools of the Agents MCP server, within the caller's tenant (its API key's). The silo
/// serves them over Streamable HTTP against its grains; <c>agents mcp</c> serves them over stdio
/// against the HTTP API. Failures come back as tool errors that say what to fix.
/// </summary>
[McpServerToolType]
public sealed class MemoryTools(IAgentsMemoryApi memory)
{
    [McpServerTool(Name = "add_memory"), Description("Stores a message in a memory scope (user, agent, run and/or team). Returns at once; notes, facts and links follow in the background.")]
    public Task<AddMemoryResponse> AddMemoryAsync(
        [Description("The text to remember.")] string text,
        [Description("User id of the scope.")] string? user_id = null,
        [Description("Agent id of the scope.")] string? agent_id = null,
        [Description("Run id of the scope.")] string? run_id = null,
        [Description("Team id of the scope.")] string? team_id = null,
        [Description("Who said it.")] string? speaker = null,
        [Description("When it was observed (ISO 8601); default now.")] DateTimeOffset? observed_at = null,
        [Description("Makes a retried add store nothing new.")] string? idempotency_key = null,
        CancellationToken cancellationToken = default) =>
        Call(() => memory.AddAsync(new AddMemoryRequest
        {
            UserId = user_id, AgentId = agent_id, RunId = run_id, TeamId = team_id,
            Text = text, Speaker = speaker, ObservedAt = observed_at, IdempotencyKey = idempotency_key,
        }, cancellationToken));

    [McpServerTool(Name = "search_memory", ReadOnly = true), Description("Hybrid search (vector, full text, graph) of a memory scope; best first.")]
    public Task<MemoryResults> SearchMemoryAsync(
        [Description("What to look for.")] string query,
        string? user_id = null, string? agent_id = null, string? run_id = null, string? team_id = null,
        [Description("How many results, 1 to 1000.")] int top_k = 10,
        [Description("Point in time (ISO 8601): only what was true then.")] DateTimeOffset? as_of = null,
        CancellationToken cancellationToken = default) =>
        Call(() => memory.SearchAsync(new SearchMemoryRequest
        {
            UserId = user_id, AgentId = agent_id, RunId = run_id, TeamId = team_id, Query = query, TopK = top_k, AsOf = as_of,
        }, cancellationToken));

    [McpServerTool(Name = "list_memories", ReadOnly = true), Description("Lists a memory scope's notes, facts and entities, oldest first.")]
    public Task<MemoryResults> ListMemoriesAsync(
        string? user_id = null, string? agent_id = null, string? run_id = null, string? team_id = null,
        [Description("Page size, 1 to 1000.")] int limit = 100,
        [Description("Memories to skip.")] int offset = 0,
        CancellationToken cancellationToken = default) =>
        Call(() => memory.ListAsync(new ListMemoryRequest(new MemoryScopeIds(user_id, agent_id, run_id, team_id), limit, offset), cancellationToken));

    [McpServerTool(Name = "delete_memory", Destructive = true, Idempotent = true), Description("Deletes one memory by id.")]
    public Task<string> DeleteMemoryAsync([Description("The memory's id.")] string memory_id, CancellationToken cancellationToken = default) =>
        Call(async () =>
        {
            if (!Guid.TryParse(memory_id, out var id)) throw new McpException($"'{memory_id}' is not a memory id (a UUID).");
            await memory.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            return $"deleted {id}";
        });

    /// <summary>Turns the service's errors into tool errors the model can read (and act on).</summary>
    internal static async Task<T> Call<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (AgentsApiException e)
        {
            throw new McpException($"{(int)e.Status} {e.Problem?.Title ?? e.Status.ToString()}: {e.Message}", e);
        }
        catch (AgentsException e)
        {
            throw new McpException(e.Message, e);
        }
    }
}
