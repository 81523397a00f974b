using Microsoft.Extensions.Configuration;

namespace Agents.Silo.Operations;

/// <summary>
/// <c>Agents.Silo health [--live]</c>: asks this machine's silo for <c>/health/ready</c> (or
/// <c>/health/live</c>) on the first of its <c>Agents:Http:Urls</c> and exits 0 when it answers 200,
/// 1 otherwise. The container image's HEALTHCHECK; no curl needed in the image.
/// </summary>
public static class SiloHealthProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args.Where(a => a.StartsWith("--Agents", StringComparison.Ordinal)).ToArray()).Build();
        var urls = configuration["Agents:Http:Urls"] ?? "http://127.0.0.1:8080";
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://127.0.0.1:8080";
        // A wildcard listener is reached on loopback.
        var local = first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
        var path = args.Contains("--live") ? "/health/live" : "/health/ready";
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
            using var response = await http.GetAsync(new Uri(new Uri(local.TrimEnd('/') + "/"), path.TrimStart('/')));
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.WriteLine($"unreachable: {e.Message}");
            return 1;
        }
    }
}
