using System.Diagnostics;
using System.Globalization;
using Agents.Silo.Operations;

namespace Agents.Bench.Chaos;

/// <summary>
/// The topology of infra/cluster.sh (silo1, silo2 and a <c>gpu</c> silo, PostgreSQL 17 + pgvector)
/// with each silo in a network namespace of its own, so that one can be cut off: a bridge on the host,
/// one veth pair per silo, the silos at 10.250.N.11-13 and PostgreSQL published on the bridge's
/// address (10.250.N.1). Cutting a silo sets its host-side link down: it reaches nothing and nothing
/// reaches it. Needs root, iproute2, iptables and a Docker engine for PostgreSQL; everything it made
/// (namespaces, bridge, firewall rules, container) is removed on dispose.
/// </summary>
internal sealed class NamespaceCluster : IChaosCluster
{
    private static readonly string[] Names = ["silo1", "silo2", "gpu"];

    private readonly string _id = Guid.NewGuid().ToString("N")[..5];
    private readonly int _subnet = Random.Shared.Next(1, 250);
    private readonly string _pgImage;
    private readonly string _logDirectory;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Dictionary<string, Process> _processes = [];
    private readonly Dictionary<string, int> _exits = [];
    private readonly List<string[]> _firewall = [];
    private readonly int _pgPort = Random.Shared.Next(40000, 50000);
    private bool _bridgeMade;

    /// <param name="settings">Agents__* settings every silo gets on top of the cluster's own.</param>
    public NamespaceCluster(string pgImage, string logDirectory, IReadOnlyDictionary<string, string> settings)
    {
        _pgImage = pgImage;
        _logDirectory = logDirectory;
        _settings = settings;
        AdminKey = $"chaos-admin-{Guid.NewGuid():N}";
    }

    public string Kind => "local";
    public string ClusterId => $"chaos-{_id}";
    public string AdminKey { get; }
    public IReadOnlyList<string> Silos => Names;
    private string Bridge => $"agc{_id}";
    private string HostAddress => $"10.250.{_subnet}.1";
    private string PgContainer => $"agents-chaos-{_id}-pg";
    public string PostgresConnection => $"Host={HostAddress};Port={_pgPort};Database=agents;Username=agents;Password=agents;Timeout=5;Command Timeout=10";

    private static int Index(string silo) => Array.IndexOf(Names, silo) is var i and >= 0 ? i : throw new ArgumentException($"no silo named {silo}");
    private string Namespace(string silo) => $"{Bridge}-{Index(silo)}";
    private string HostLink(string silo) => $"{Bridge}h{Index(silo)}";
    private string SiloLink(string silo) => $"{Bridge}s{Index(silo)}";
    private string Address(string silo) => $"10.250.{_subnet}.{11 + Index(silo)}";
    public Uri Api(string silo) => new($"http://{Address(silo)}:8080/");
    private string LogFile(string silo) => Path.Combine(_logDirectory, $"{ClusterId}-{silo}.log");

    public async Task UpAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            throw new InvalidOperationException("the local chaos cluster makes network namespaces: it needs Linux and root");
        Directory.CreateDirectory(_logDirectory);
        _bridgeMade = true;
        await Ip("link", "add", Bridge, "type", "bridge");
        await Ip("addr", "add", $"{HostAddress}/24", "dev", Bridge);
        await Ip("link", "set", Bridge, "up");
        // Docker's FORWARD policy is DROP and bridged frames pass iptables (br_netfilter): let ours through.
        foreach (var direction in new[] { "-i", "-o" }) await Firewall("FORWARD", direction, Bridge, "-j", "ACCEPT");
        foreach (var silo in Names)
        {
            var ns = Namespace(silo);
            await Ip("netns", "add", ns);
            await Ip("link", "add", HostLink(silo), "type", "veth", "peer", "name", SiloLink(silo));
            await Ip("link", "set", SiloLink(silo), "netns", ns);
            await Ip("link", "set", HostLink(silo), "master", Bridge);
            await Ip("link", "set", HostLink(silo), "up");
            await Ip("-n", ns, "addr", "add", $"{Address(silo)}/24", "dev", SiloLink(silo));
            await Ip("-n", ns, "link", "set", SiloLink(silo), "up");
            await Ip("-n", ns, "link", "set", "lo", "up");
            await Ip("-n", ns, "route", "add", "default", "via", HostAddress);
        }

        // Labelled as the test runs' containers are, so test.sh removes it if this process dies first.
        await Shell.CheckAsync("docker", ["run", "-d", "--name", PgContainer, "--label", "agents.test=1",
            "--label", $"agents.test.pid={Environment.ProcessId}", "-e", "POSTGRES_DB=agents", "-e", "POSTGRES_USER=agents",
            "-e", "POSTGRES_PASSWORD=agents", "-p", $"{HostAddress}:{_pgPort}:5432", _pgImage], cancellationToken: cancellationToken);
        await WaitForPostgresAsync(TimeSpan.FromSeconds(90), cancellationToken);

        // The first silo alone migrates the schema; the others start together once it serves.
        await StartAsync(Names[0]);
        await WaitReadyAsync(Names[0], TimeSpan.FromSeconds(180), cancellationToken);
        foreach (var silo in Names.Skip(1)) await StartAsync(silo);
        await Task.WhenAll(Names.Skip(1).Select(silo => WaitReadyAsync(silo, TimeSpan.FromSeconds(180), cancellationToken)));
    }

    public async Task WaitForPostgresAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var (code, _) = await Shell.RunAsync("docker", ["exec", PgContainer, "pg_isready", "-h", "127.0.0.1", "-U", "agents", "-d", "agents"], cancellationToken: cancellationToken);
            if (code == 0)
            {
                // The image's entrypoint restarts the server once after initialising: ask twice, apart.
                await Task.Delay(1500, cancellationToken);
                if ((await Shell.RunAsync("docker", ["exec", PgContainer, "pg_isready", "-h", "127.0.0.1", "-U", "agents", "-d", "agents"], cancellationToken: cancellationToken)).Code == 0) return;
            }
            if (DateTime.UtcNow > until) throw new TimeoutException($"PostgreSQL ({PgContainer}) not ready after {limit.TotalSeconds:F0} s");
            await Task.Delay(500, cancellationToken);
        }
    }

    public async Task WaitReadyAsync(string silo, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (_processes.TryGetValue(silo, out var process) && process.HasExited)
                throw new InvalidOperationException($"{silo} exited ({process.ExitCode}):\n{await LogsAsync(silo)}");
            try
            {
                using var response = await http.GetAsync(new Uri(Api(silo), "health/ready"), cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested) { }
            await Task.Delay(500, cancellationToken);
        }
        throw new TimeoutException($"{silo} not ready after {limit.TotalSeconds:F0} s:\n{await LogsAsync(silo)}");
    }

    public Task StartAsync(string silo)
    {
        if (_processes.TryGetValue(silo, out var running) && !running.HasExited) return Task.CompletedTask;
        var settings = new Dictionary<string, string>(_settings)
        {
            ["Agents__Postgres"] = PostgresConnection.Replace(";Timeout=5;Command Timeout=10", "", StringComparison.Ordinal),
            ["Agents__Silo__Name"] = silo,
            ["Agents__Silo__ClusterId"] = ClusterId,
            ["Agents__Silo__ServiceId"] = ClusterId,
            ["Agents__Silo__Address"] = Address(silo),
            ["Agents__Silo__Port"] = "11111",
            ["Agents__Silo__GatewayPort"] = "30000",
            ["Agents__Silo__Roles"] = silo == "gpu" ? "gpu" : "",
            ["Agents__Http__Urls"] = $"http://{Address(silo)}:8080",
            ["Agents__Http__AdminKey"] = AdminKey,
            ["Agents__Inference__OnCpu"] = "false",
            ["OTEL_SERVICE_NAME"] = $"agents-{silo}",
        };
        // exec all the way down: the process we hold is the silo itself (kill -9 hits it, not a shell).
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "exec ip netns exec \"$0\" dotnet \"$1\" serve >>\"$2\" 2>&1 </dev/null", Namespace(silo), typeof(AgentsOperations).Assembly.Location, LogFile(silo) },
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Agents__", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in settings) start.Environment[key] = value;
        File.AppendAllText(LogFile(silo), $"--- {DateTimeOffset.UtcNow:O} chaos: starting {silo}\n");
        _processes[silo] = Process.Start(start) ?? throw new InvalidOperationException($"could not start {silo}");
        return Task.CompletedTask;
    }

    public async Task KillAsync(string silo)
    {
        var process = _processes[silo];
        await Shell.CheckAsync("kill", ["-KILL", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await process.WaitForExitAsync();
        _processes.Remove(silo);
    }

    public Task RestartPostgresAsync() => Shell.CheckAsync("docker", ["restart", "--time", "10", PgContainer]);
    public Task DisconnectAsync(string silo) => Ip("link", "set", HostLink(silo), "down");
    public Task ConnectAsync(string silo) => Ip("link", "set", HostLink(silo), "up");

    public async Task<bool> ReadyFromInsideAsync(string silo)
    {
        // curl inside the silo's namespace: its own address answers even while its link is down.
        var (code, _) = await Shell.RunAsync("ip", ["netns", "exec", Namespace(silo), "curl", "-fsS", "-o", "/dev/null", "--max-time", "5", $"{Api(silo)}health/ready"]);
        return code == 0;
    }

    public Task<int> ExitsAsync(string silo)
    {
        if (_processes.TryGetValue(silo, out var process) && process.HasExited)
        {
            _exits[silo] = _exits.GetValueOrDefault(silo) + 1;
            _processes.Remove(silo);
        }
        return Task.FromResult(_exits.GetValueOrDefault(silo));
    }

    public Task<string> LogsAsync(string silo, int lines = 40) =>
        Task.FromResult(File.Exists(LogFile(silo)) ? string.Join('\n', File.ReadLines(LogFile(silo)).TakeLast(lines)) : "");

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _processes)
        {
            try { if (!process.HasExited) process.Kill(); await process.WaitForExitAsync(); } catch (InvalidOperationException) { }
            process.Dispose();
        }
        _processes.Clear();
        await Shell.RunAsync("docker", ["rm", "-f", "-v", PgContainer]);
        if (!_bridgeMade) return;
        foreach (var silo in Names) await Shell.RunAsync("ip", ["netns", "del", Namespace(silo)]);
        await Shell.RunAsync("ip", ["link", "del", Bridge]);
        foreach (var rule in _firewall) await Shell.RunAsync("iptables", ["-D", .. rule]);
    }

    private static Task Ip(params string[] args) => Shell.CheckAsync("ip", args);

    private async Task Firewall(params string[] rule)
    {
        await Shell.CheckAsync("iptables", ["-I", rule[0], "1", .. rule[1..]]);
        _firewall.Add(rule);
    }
}
