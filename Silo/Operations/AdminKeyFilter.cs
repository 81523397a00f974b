using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Agents.Silo.Operations;

/// <summary>
/// Lets through requests that carry the admin key: <c>Authorization: Token KEY</c> or <c>Bearer KEY</c>
/// (as the API), or <c>Basic</c> with the key as the password (what a browser sends after its prompt).
/// Anything else gets 401 with a Basic challenge, so that a browser asks for it.
/// </summary>
internal sealed class AdminKeyFilter(string adminKey) : IEndpointFilter
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(adminKey.Trim());

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (Presented(context.HttpContext.Request.Headers.Authorization.ToString()) is { } key
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), _key))
            return await next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"agents-admin\", charset=\"UTF-8\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "The dashboard needs the admin key (Agents:Http:AdminKey): 'Authorization: Token KEY', or the key as the password of Basic authentication.");
    }

    private static string? Presented(string header)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0) return null;
        var scheme = header[..space];
        var value = header[(space + 1)..].Trim();
        if (scheme.Equals("Token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return value;
        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
