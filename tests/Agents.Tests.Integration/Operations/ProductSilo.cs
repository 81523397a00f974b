using System.Diagnostics;
using System.Globalization;
using Agents.Silo.Operations;
using Agents.Tests.Integration.Grains;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// The product's silo executable (Silo/Program.cs, <c>serve</c>) as an OS process, configured only by
/// environment variables as a container would be: started, waited for until it serves, stopped
/// gracefully with SIGTERM or killed with SIGKILL.
/// </summary>
internal sealed class ProductSilo : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ProductSilo(Process process, string name, int gatewayPort)
    {
        _process = process;
        Name = name;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }
    public int GatewayPort { get; }
    /// <summary>Orleans' silo address, as grains report it (<c>RuntimeIdentity</c>).</summary>
    public string Address { get; private set; } = "";
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public static async Task<ProductSilo> StartAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var gatewayPort = AgentsHost.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(AgentsOperations).Assembly.Location, "serve" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Agents__", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal) || k == "AGENTS_PG_CONNECTION").ToList())
            start.Environment.Remove(key);
        start.Environment["Agents__Silo__Name"] = name;
        start.Environment["Agents__Silo__Port"] = AgentsHost.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["Agents__Silo__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo");
        var silo = new ProductSilo(process, name, gatewayPort);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => silo.Take(e.Data, ready);
        process.ErrorDataReceived += (_, e) => silo.Take(e.Data, null);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first != ready.Task)
            throw new InvalidOperationException($"silo {name} did not start ({(process.HasExited ? $"exit code {process.ExitCode}" : "timed out")}):\n{silo.Output}");
        silo.Address = await ready.Task;
        return silo;
    }

    private void Take(string? line, TaskCompletionSource<string>? ready)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        // "silo NAME serving at ADDRESS (gateway ...)"
        const string marker = " serving at ";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (ready is not null && line.StartsWith("silo ", StringComparison.Ordinal) && at > 0)
            ready.TrySetResult(line[(at + marker.Length)..].Split(' ')[0]);
    }

    /// <summary>SIGTERM, as Docker and Kubernetes stop a container; waits for the process to end.</summary>
    public async Task StopGracefullyAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
    }

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { await StopGracefullyAsync(TimeSpan.FromSeconds(30)); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}
