using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agents.Silo.Operations;
using Agents.Tests.Integration.Grains;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// The product silo's operations face over real HTTP: live and ready health endpoints (ready = an
/// active cluster member with PostgreSQL reachable), the image's health command, and the Orleans
/// Dashboard only behind the admin key.
/// </summary>
public sealed class HealthAndDashboardTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const string AdminKey = "ops-admin-key-0123456789abcdef";

    [Fact]
    public async Task Health_endpoints_report_membership_and_the_database_and_the_dashboard_needs_the_admin_key()
    {
        var port = AgentsHost.FreePort();
        var cluster = $"ops-{Guid.NewGuid():N}"[..16];
        var environment = new Dictionary<string, string>
        {
            ["Agents__Postgres"] = db.ConnectionString,
            ["Agents__Silo__ClusterId"] = cluster,
            ["Agents__Silo__ServiceId"] = cluster,
            ["Agents__Http__Urls"] = $"http://127.0.0.1:{port}",
            ["Agents__Http__AdminKey"] = AdminKey,
            ["Logging__Console__FormatterName"] = "json",
        };
        await using var silo = await ProductSilo.StartAsync("ops-health", environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        using (var live = await http.GetAsync("health/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var ready = await http.GetAsync("health/ready"))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
            using var json = JsonDocument.Parse(body);
            var checks = json.RootElement.GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("cluster").GetProperty("status").GetString());
            Assert.Equal("Active", checks.GetProperty("cluster").GetProperty("data").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        }

        // The image's HEALTHCHECK: the same executable, asked to probe the running silo.
        var probe = new ProcessStartInfo("dotnet") { ArgumentList = { typeof(AgentsOperations).Assembly.Location, "health" }, RedirectStandardOutput = true, UseShellExecute = false };
        probe.Environment["Agents__Http__Urls"] = $"http://+:{port}";
        using (var process = Process.Start(probe)!)
        {
            var said = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, said);
            Assert.StartsWith("200 ", said);
        }

        using (var anonymous = await http.GetAsync("dashboard/version"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "dashboard/version"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Token", "not-the-admin-key-0123456789");
            using var response = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var basic = new HttpRequestMessage(HttpMethod.Get, "dashboard/version"))
        {
            basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminKey}")));
            using var response = await http.SendAsync(basic);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("version", await response.Content.ReadAsStringAsync());
        }

        // Structured logs: one JSON object per line.
        Assert.Contains(silo.Output.Split('\n'), l => l.StartsWith('{') && JsonDocument.Parse(l).RootElement.TryGetProperty("Category", out _));
    }
}
