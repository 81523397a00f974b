namespace Agents.Client.Api;

/// <summary>
/// The workflow operations of the Agents service, within one tenant (the API key's). As with
/// <see cref="IAgentsMemoryApi"/>, the HTTP client and the silo implement it alike.
/// </summary>
public interface IAgentsWorkflowApi
{
    /// <summary>Validates and starts a run of <paramref name="definition"/> (YAML or JSON text). Every
    /// problem of an invalid definition is reported at once. Starting an existing run id again returns it.</summary>
    Task<RunView> StartRunAsync(string definition, string? runId = null, CancellationToken cancellationToken = default);

    Task<RunView> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The tenant's runs, newest first; <paramref name="status"/> keeps one state.</summary>
    Task<RunList> ListRunsAsync(int limit = 50, string? status = null, CancellationToken cancellationToken = default);

    Task<RunView> CancelRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Events after <paramref name="afterId"/>, waiting up to <paramref name="waitSeconds"/> for new ones.</summary>
    Task<RunEvents> RunEventsAsync(string runId, long afterId = 0, int max = 500, int waitSeconds = 0, CancellationToken cancellationToken = default);
}
