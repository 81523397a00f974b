using System.Net;

namespace Agents.Client.Api;

/// <summary>The API answered with an error: its status and problem details.</summary>
public sealed class AgentsApiException(HttpStatusCode status, ApiProblem? problem)
    : Exception(problem?.Detail ?? problem?.Title ?? $"The Agents API answered {(int)status} {status}.")
{
    public HttpStatusCode Status { get; } = status;
    public ApiProblem? Problem { get; } = problem;
}
