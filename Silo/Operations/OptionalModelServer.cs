using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Silo.Operations;

/// <summary>
/// <c>Agents:Llm:Optional=true</c>: the model endpoint is used only if its host name resolves at start
/// (within <c>Agents:Llm:OptionalWait</c>, 10 s); otherwise the silo runs offline, and says so. This is
/// how compose's optional <c>llm</c> profile works: with the profile the model server's name exists on
/// the network, without it it does not. A name that resolves but does not answer is not optional:
/// calls to it fail and are retried as configured.
/// </summary>
internal static class OptionalModelServer
{
    public static void Apply(IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!bool.TryParse(configuration["Agents:Llm:Optional"], out var optional) || !optional) return;
        var baseUrl = configuration["Agents:Llm:BaseUrl"];
        if (string.IsNullOrWhiteSpace(baseUrl)) return;
        var wait = TimeSpan.TryParse(configuration["Agents:Llm:OptionalWait"], System.Globalization.CultureInfo.InvariantCulture, out var w) ? w : TimeSpan.FromSeconds(10);
        var host = Uri.TryCreate(baseUrl.Contains("://", StringComparison.Ordinal) ? baseUrl : "http://" + baseUrl, UriKind.Absolute, out var uri) ? uri.Host : baseUrl;
        string decision;
        if (Resolves(host, wait))
        {
            decision = $"model endpoint {baseUrl}: its host resolves, LLM mode";
        }
        else
        {
            configuration["Agents:Llm:BaseUrl"] = "";   // the in-memory override of ConfigurationManager, last and so winning
            decision = $"model endpoint {baseUrl}: host '{host}' does not resolve (Agents:Llm:Optional), offline models";
        }
        builder.Services.AddHostedService(sp => new DecisionLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Agents.Silo.Llm"), decision));
    }

    private static bool Resolves(string host, TimeSpan wait)
    {
        if (IPAddress.TryParse(host, out _)) return true;
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                if (Dns.GetHostAddresses(host).Length > 0) return true;
            }
            catch (SocketException)
            {
            }
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(500);
        }
    }

    private sealed class DecisionLogger(ILogger logger, string decision) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation("{Decision}", decision);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
