using System.Diagnostics;
using System.Globalization;
using Agents.Tests.Integration.Grains;
using Agents.TestSilo;

namespace Agents.Tests.Integration.Cluster;

/// <summary>An Agents.TestSilo process on ADO.NET clustering: started, waited for until active, killed with SIGKILL.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, string name, int gatewayPort)
    {
        _process = process;
        Name = name;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }
    public int GatewayPort { get; }
    /// <summary>Orleans' silo address, as grains report it (<c>RuntimeIdentity</c>).</summary>
    public string Address { get; private set; } = "";

    public static async Task<SiloProcess> StartAsync(string connectionString, string clusterId, string name, string? llm = null)
    {
        var gatewayPort = AgentsHost.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                typeof(LedgerGrain).Assembly.Location, "--pg", connectionString, "--cluster", clusterId, "--name", name,
                "--port", AgentsHost.FreePort().ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (llm is not null)
        {
            start.ArgumentList.Add("--llm");
            start.ArgumentList.Add(llm);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start Agents.TestSilo");
        var silo = new SiloProcess(process, name, gatewayPort);
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith("READY ", StringComparison.Ordinal)) continue;
            silo.Address = line.Split(' ')[3];
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
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}
