namespace Agents.Bench.Chaos;

/// <summary>
/// A cluster of three silos (silo1, silo2, gpu) and PostgreSQL that the chaos suite starts, loads and
/// hurts: the compose cluster (<see cref="ComposeCluster"/>) or silo processes in network namespaces
/// of their own (<see cref="NamespaceCluster"/>).
/// </summary>
internal interface IChaosCluster : IAsyncDisposable
{
    /// <summary><c>compose</c> or <c>local</c>.</summary>
    string Kind { get; }
    string ClusterId { get; }
    string AdminKey { get; }
    /// <summary>The cluster's database as this process reaches it (membership checks).</summary>
    string PostgresConnection { get; }
    IReadOnlyList<string> Silos { get; }
    Uri Api(string silo);

    Task UpAsync(CancellationToken cancellationToken);
    /// <summary>SIGKILL: no goodbye to the cluster.</summary>
    Task KillAsync(string silo);
    /// <summary>Starts a silo that was killed or ended (no-op where a restart policy did it already).</summary>
    Task StartAsync(string silo);
    Task RestartPostgresAsync();
    /// <summary>Cuts the silo off the network: it reaches nothing and nothing reaches it.</summary>
    Task DisconnectAsync(string silo);
    Task ConnectAsync(string silo);
    /// <summary>The silo's readiness as seen from inside its own network (true: GET /health/ready is 200).</summary>
    Task<bool> ReadyFromInsideAsync(string silo);
    /// <summary>How many times the silo's process ended on its own since it was (re)started by us.</summary>
    Task<int> ExitsAsync(string silo);
    Task<string> LogsAsync(string silo, int lines = 40);
}
