namespace Agents.Client.Api;

/// <summary>
/// The memory operations of the Agents service, within one tenant (the API key's). The HTTP client
/// implements it for programs; the silo implements it over grains for its endpoints and MCP tools, so
/// every face of the service does the same thing. Errors: <see cref="AgentsApiException"/> over HTTP;
/// the contract exceptions (not found, invalid request...) inside the silo.
/// </summary>
public interface IAgentsMemoryApi
{
    Task<AddMemoryResponse> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default);

    /// <summary>Bulk ingest: many adds in one call, stored per scope in one transaction (COPY on PostgreSQL).</summary>
    Task<AddMemoriesResponse> AddManyAsync(AddMemoriesRequest request, CancellationToken cancellationToken = default);
    Task<MemoryResults> SearchAsync(SearchMemoryRequest request, CancellationToken cancellationToken = default);
    Task<MemoryResults> ListAsync(ListMemoryRequest request, CancellationToken cancellationToken = default);
    Task<MemoryView> GetAsync(Guid memoryId, CancellationToken cancellationToken = default);
    Task<MemoryView> UpdateAsync(Guid memoryId, UpdateMemoryRequest request, CancellationToken cancellationToken = default);
    Task DeleteAsync(Guid memoryId, CancellationToken cancellationToken = default);
    Task<MemoryHistory> HistoryAsync(Guid memoryId, CancellationToken cancellationToken = default);
    Task<ScopeErasureView> DeleteScopeAsync(MemoryScopeIds scope, CancellationToken cancellationToken = default);
    Task<PipelineStatusView> PipelineAsync(MemoryScopeIds scope, bool waitForIdle, CancellationToken cancellationToken = default);
    Task<InsightResults> InsightsAsync(string teamId, bool includeRetired = false, CancellationToken cancellationToken = default);
    Task<TeamRunResults> RunsAsync(string teamId, int limit = 50, int offset = 0, CancellationToken cancellationToken = default);
    Task<TeamRunView> RunAsync(string teamId, Guid runId, CancellationToken cancellationToken = default);

    /// <summary>A scope's notes, facts and entities and their links, as at <paramref name="asOf"/> (null: now).</summary>
    Task<MemoryGraphView> GraphAsync(MemoryScopeIds scope, DateTimeOffset? asOf = null, int limit = 500, CancellationToken cancellationToken = default);
}
