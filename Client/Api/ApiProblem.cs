namespace Agents.Client.Api;

/// <summary>An RFC 7807 problem response as the API sends it (<c>application/problem+json</c>);
/// <see cref="Problems"/>: every problem of an invalid workflow definition.</summary>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail, string? Instance)
{
    public IReadOnlyList<string>? Problems { get; init; }
}
