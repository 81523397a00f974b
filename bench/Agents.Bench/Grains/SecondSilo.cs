using System.Diagnostics;
using System.Globalization;

namespace Agents.Bench.Grains;

/// <summary>The product's silo (<c>Agents.Silo serve</c>) as a separate process joined to the bench's silo.</summary>
internal sealed class SecondSilo : IAsyncDisposable
{
    private readonly Process _process;

    private SecondSilo(Process process) => _process = process;

    public static async Task<SecondSilo> StartAsync(string clusterId, int port, int gatewayPort, int primaryPort, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Agents.Silo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "serve" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Embedded store, offline models: the suite measures the grain path, not a database or a model.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Agents__", StringComparison.Ordinal) || k == "AGENTS_PG_CONNECTION").ToList())
            start.Environment.Remove(key);
        start.Environment["Agents__Silo__Name"] = "bench-remote";
        start.Environment["Agents__Silo__ClusterId"] = clusterId;
        start.Environment["Agents__Silo__ServiceId"] = clusterId;
        start.Environment["Agents__Silo__Port"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Agents__Silo__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Agents__Silo__PrimarySiloEndpoint"] = $"127.0.0.1:{primaryPort}";
        start.Environment["Agents__Http__Urls"] = "http://127.0.0.1:0";   // the silo's HTTP API on any free port
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.Contains("serving at", StringComparison.Ordinal)) continue;
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return new SecondSilo(process);
        }
        throw new InvalidOperationException($"the second silo exited before it served: {await errors}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
