using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Agents.Abstractions.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agents.Silo.Api.Auth;

/// <summary>
/// <c>Authorization: Token KEY</c> (Mem0's header; <c>Bearer</c> is accepted too, for MCP clients).
/// The admin key is compared in constant time; a tenant's key is checked by its key grain against the
/// stored hash. No header: anonymous (the endpoint's policy then answers 401); a bad key: 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    IOptions<AgentsHttpOptions> http,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private readonly byte[]? _adminKey = string.IsNullOrWhiteSpace(http.Value.AdminKey) ? null : Encoding.UTF8.GetBytes(http.Value.AdminKey.Trim());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return AuthenticateResult.NoResult();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? header[..space] : "";
        if (!scheme.Equals("Token", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Token KEY'.");
        var key = header[(space + 1)..].Trim();
        if (key.Length is 0 or > 512) return AuthenticateResult.Fail("The API key is missing or malformed.");

        if (_adminKey is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), _adminKey))
            return Success(new Claim(ClaimTypes.Role, AgentsClaims.AdminRole), new Claim(AgentsClaims.KeyPrefix, "admin"));

        if (ApiKeyFormat.PrefixOf(key) is not { } prefix) return AuthenticateResult.Fail("The API key is not valid.");
        var tenant = await grains.GetGrain<IApiKeyGrain>(prefix).VerifyAsync(ApiKeyFormat.Hash(key), Context.RequestAborted);
        return tenant is null
            ? AuthenticateResult.Fail("The API key is not valid (unknown or revoked).")
            : Success(new Claim(AgentsClaims.Tenant, tenant), new Claim(AgentsClaims.KeyPrefix, prefix));
    }

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Token";
        await WriteAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            result.Failure?.Message ?? "This endpoint needs an API key: send 'Authorization: Token KEY'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(StatusCodes.Status403Forbidden, "Forbidden",
            Context.User.IsInRole(AgentsClaims.AdminRole)
                ? "The admin key administers keys only; use a tenant's key here."
                : "This endpoint needs the admin key.");
    }

    private async Task WriteAsync(int status, string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" },
        });
}
