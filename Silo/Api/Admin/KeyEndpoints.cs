using System.Text.RegularExpressions;
using Agents.Abstractions;
using Agents.Abstractions.Keys;
using Agents.Client.Api;
using Agents.Silo.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Agents.Silo.Api.Admin;

/// <summary>Key administration with the operators' admin key: create a tenant's key (shown once), revoke one by prefix.</summary>
public static partial class KeyEndpoints
{
    public static RouteGroupBuilder MapKeyEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/keys", async (CreateKeyRequest request, IGrainFactory grains, CancellationToken ct) =>
            {
                ArgumentNullException.ThrowIfNull(request);
                if (request.Tenant is null || !TenantName().IsMatch(request.Tenant))
                    throw new InvalidRequestException("'tenant' must be 1 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit.");
                // A fresh random prefix is taken only by a 2^-48 chance; the grain refuses a taken one.
                var (key, prefix) = ApiKeyFormat.Generate();
                var info = await grains.GetGrain<IApiKeyGrain>(prefix).CreateAsync(request.Tenant, ApiKeyFormat.Hash(key), ct);
                return Results.Created($"/v1/admin/keys/{prefix}", new CreatedKey(key, info.Tenant, prefix, info.CreatedAt));
            })
            .WithName("CreateKey").WithSummary("Create an API key for a tenant (the key is shown once)")
            .Produces<CreatedKey>(StatusCodes.Status201Created);

        admin.MapDelete("/keys/{prefix}", async (string prefix, IGrainFactory grains, CancellationToken ct) =>
            {
                if (!ApiKeyFormat.IsPrefix(prefix)) throw new InvalidRequestException("A key prefix is the 12 hex digits after 'agk_'.");
                return await grains.GetGrain<IApiKeyGrain>(prefix).RevokeAsync(ct)
                    ? Results.NoContent()
                    : throw new NotFoundException($"No live key with prefix {prefix}.");
            })
            .WithName("RevokeKey").WithSummary("Revoke an API key by its prefix").Produces(StatusCodes.Status204NoContent);
        return admin;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantName();
}
