using System.Diagnostics;
using Agents.TestSilo;

namespace Agents.Tests.Integration.Runtime.Cluster;

/// <summary>An Agents.TestSilo process: started, waited for until Active, killed with SIGKILL.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }
    public string Address { get; private set; } = "";
    public int GatewayPort { get; private set; }

    public static async Task<SiloProcess> StartAsync(string connectionString, string clusterId, string name)
    {
        var dll = typeof(LedgerGrain).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--pg", connectionString, "--cluster", clusterId, "--name", name },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start Agents.TestSilo");
        var silo = new SiloProcess(process, name);
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith("READY ", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ');
            silo.Address = parts[1];
            silo.GatewayPort = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            _ = process.StandardOutput.ReadToEndAsync();
            return silo;
        }
        throw new InvalidOperationException($"silo {name} exited (code {(process.HasExited ? process.ExitCode : -1)}) before it was ready");
    }

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}
