using System.Security.Claims;

namespace Agents.Silo.Api.Auth;

/// <summary>The claims an authenticated request carries, and the policies that read them.</summary>
public static class AgentsClaims
{
    public const string Tenant = "agents:tenant";
    public const string KeyPrefix = "agents:key";
    public const string AdminRole = "admin";

    /// <summary>Requests made with a tenant's key (every memory and workflow endpoint).</summary>
    public const string TenantPolicy = "agents-tenant";
    /// <summary>Requests made with the operators' admin key (key administration).</summary>
    public const string AdminPolicy = "agents-admin";

    public static string? TenantOf(ClaimsPrincipal? user) => user?.FindFirst(Tenant)?.Value;

    /// <summary>What rate limits count against: the key's prefix (the admin key is one key too).</summary>
    public static string? KeyOf(ClaimsPrincipal? user) => user?.FindFirst(KeyPrefix)?.Value;
}
