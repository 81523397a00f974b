using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Agents.Bench.Chaos;

/// <summary>
/// docker-compose.yml brought up through infra/compose.sh (images from local parts, no device
/// reservation without an NVIDIA runtime) under its own project name and free loopback ports, and the
/// faults done to it with Docker: SIGKILL of the silo's process (its restart policy starts it again),
/// PostgreSQL's restart, network disconnect and connect.
/// </summary>
internal sealed class ComposeCluster : IChaosCluster
{
    private static readonly string[] Names = ["silo1", "silo2", "gpu"];

    private readonly string _root;
    private readonly Dictionary<string, string> _environment;

    /// <param name="settings">AGENTS_* variables docker-compose.yml passes to the silos (e.g. AGENTS_EMBEDDER).</param>
    public ComposeCluster(string root, IReadOnlyDictionary<string, string> settings)
    {
        _root = root;
        Project = $"agentschaos{Guid.NewGuid().ToString("N")[..6]}";
        AdminKey = $"chaos-admin-{Guid.NewGuid():N}";
        _environment = new Dictionary<string, string>(settings)
        {
            ["COMPOSE_PROJECT_NAME"] = Project,
            ["AGENTS_ADMIN_KEY"] = AdminKey,
            ["AGENTS_CLUSTER_ID"] = Project,
            ["AGENTS_SERVICE_ID"] = Project,
            ["AGENTS_PG_HOST_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["AGENTS_LOG_FORMAT"] = "simple",
            ["AGENTS_OLLAMA_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var silo in Names)
        {
            var prefix = $"AGENTS_{silo.ToUpperInvariant()}";
            _environment[$"{prefix}_API_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
            _environment[$"{prefix}_GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        }
    }

    public string Kind => "compose";
    public string Project { get; }
    public string ClusterId => Project;
    public string AdminKey { get; }
    public IReadOnlyList<string> Silos => Names;
    private string Network => $"{Project}_cluster";
    public string PostgresConnection => $"Host=127.0.0.1;Port={_environment["AGENTS_PG_HOST_PORT"]};Database=agents;Username=agents;Password=agents;Timeout=5;Command Timeout=10";
    public Uri Api(string silo) => new($"http://127.0.0.1:{_environment[$"AGENTS_{silo.ToUpperInvariant()}_API_PORT"]}/");

    /// <summary>Builds the images if needed (cached), starts the cluster detached, waits until every silo is ready.</summary>
    public async Task UpAsync(CancellationToken cancellationToken)
    {
        await Shell.CheckAsync(Path.Combine(_root, "infra/compose.sh"), ["up", "-d"], _root, _environment, TimeSpan.FromMinutes(30), cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        foreach (var silo in Names)
        {
            var until = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(Api(silo), "health/ready"), cancellationToken);
                    if (response.IsSuccessStatusCode) break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested) { }
                if (DateTime.UtcNow > until) throw new TimeoutException($"{silo} not ready after 3 minutes:\n{await LogsAsync(silo)}");
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    private async Task<string> ContainerAsync(string service)
    {
        var output = await Shell.CheckAsync("docker", ["ps", "-aq", "--filter", $"label=com.docker.compose.project={Project}", "--filter", $"label=com.docker.compose.service={service}"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new InvalidOperationException($"no container for service {service} in project {Project}");
    }

    /// <summary>kill -9 of the silo's process from the host, as a crash: Docker sees it exit and restarts it.</summary>
    public async Task KillAsync(string silo)
    {
        var pid = (await Shell.CheckAsync("docker", ["inspect", "-f", "{{.State.Pid}}", await ContainerAsync(silo)])).Trim();
        await Shell.CheckAsync("kill", ["-KILL", pid]);
    }

    /// <summary>The restart policy starts a crashed silo; this waits for that, and starts it if it did not.</summary>
    public async Task StartAsync(string silo)
    {
        var container = await ContainerAsync(silo);
        for (var i = 0; i < 20; i++)
        {
            if ((await Shell.RunAsync("docker", ["inspect", "-f", "{{.State.Running}}", container])).Output.Trim() == "true") return;
            await Task.Delay(500);
        }
        await Shell.CheckAsync("docker", ["start", container]);
    }

    public async Task RestartPostgresAsync() => await Shell.CheckAsync("docker", ["restart", "--time", "10", await ContainerAsync("postgres")]);
    public async Task DisconnectAsync(string silo) => await Shell.CheckAsync("docker", ["network", "disconnect", "--force", Network, await ContainerAsync(silo)]);
    public async Task ConnectAsync(string silo) => await Shell.CheckAsync("docker", ["network", "connect", "--alias", silo, Network, await ContainerAsync(silo)]);

    /// <summary>The image's health check (the silo's <c>health</c> command) run inside the container.</summary>
    public async Task<bool> ReadyFromInsideAsync(string silo) =>
        (await Shell.RunAsync("docker", ["exec", await ContainerAsync(silo), "/app/Agents.Silo", "health"], timeout: TimeSpan.FromSeconds(20))).Code == 0;

    public async Task<int> ExitsAsync(string silo) =>
        int.Parse((await Shell.CheckAsync("docker", ["inspect", "-f", "{{.RestartCount}}", await ContainerAsync(silo)])).Trim(), CultureInfo.InvariantCulture);

    public async Task<string> LogsAsync(string silo, int lines = 40) =>
        (await Shell.RunAsync("docker", ["logs", "--tail", lines.ToString(CultureInfo.InvariantCulture), await ContainerAsync(silo)])).Output;

    public async ValueTask DisposeAsync() =>
        await Shell.RunAsync(Path.Combine(_root, "infra/compose.sh"), ["down", "-v", "--remove-orphans"], _root,
            new Dictionary<string, string>(_environment) { ["AGENTS_COMPOSE_BUILD"] = "0" }, TimeSpan.FromMinutes(5));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
