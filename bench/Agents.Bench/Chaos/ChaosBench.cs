using System.Diagnostics;
using System.Globalization;
using Agents.Client.Api;
using Npgsql;

namespace Agents.Bench.Chaos;

/// <summary>
/// <c>chaos</c>: three silos (silo1, silo2, gpu) and PostgreSQL under a steady load of memory adds and
/// workflow runs through the HTTP API, while the suite kills a silo with SIGKILL and starts it again,
/// restarts PostgreSQL, and cuts a silo off the network (it must be declared dead, stop serving, and
/// its grains come back on the others) then reconnects it. After each fault it measures the seconds
/// until a sweep of adds over every user's scope (and a run start, and every live silo's readiness)
/// succeeds. At the end every acknowledged add must be readable and every started run finished or
/// failed with a reason.
/// <para><c>--cluster compose</c> (default): docker-compose.yml through infra/compose.sh (images built
/// from local parts). <c>--cluster local</c>: the silo processes in network namespaces of their own,
/// PostgreSQL in a container (needs root).</para>
/// </summary>
public static class ChaosBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var kind = options.String("cluster", "compose");
        var warmup = options.Double("warmup", 15);
        var settle = options.Double("settle", 10);
        var writers = options.Int("writers", 2);
        var users = options.Int("users", 12);
        var runEvery = options.Double("run-every", 3);
        var recoveryLimit = options.Double("recovery-limit", 120);
        var drain = options.Double("drain", 300);
        var kill = options.String("kill", "silo2");
        var cut = options.String("cut", "silo1");
        var embedder = options.String("embedder", "hashing");
        options.EnsureAllUsed();
        if (kind is not ("compose" or "local")) throw new BenchUsageException("--cluster must be compose or local");
        if (writers < 1 || users < 1 || runEvery <= 0 || warmup < 0 || settle < 0) throw new BenchUsageException("--writers, --users and --run-every must be positive");
        string[] names = ["silo1", "silo2", "gpu"];
        if (!names.Contains(kill) || !names.Contains(cut)) throw new BenchUsageException("--kill and --cut name a silo: silo1, silo2 or gpu");

        var root = FindRoot();
        await using IChaosCluster cluster = kind == "compose"
            ? new ComposeCluster(root, new Dictionary<string, string> { ["AGENTS_EMBEDDER"] = embedder })
            : new NamespaceCluster(await PostgresImageAsync(root), Path.Combine(Path.GetTempPath(), "agents-chaos"),
                new Dictionary<string, string>
                {
                    ["Agents__Memory__Embedder"] = embedder,
                    ["Logging__Console__FormatterName"] = "simple",
                    ["Logging__LogLevel__Microsoft"] = "Warning",
                    ["Logging__LogLevel__Polly"] = "Error",
                });
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"chaos bench: cluster={kind} writers={writers} users={users} run_every={runEvery}s kill={kill} cut={cut} embedder={embedder} cores={Environment.ProcessorCount}");
        await cluster.UpAsync(CancellationToken.None);
        Console.WriteLine($"cluster {cluster.ClusterId} up in {clock.Elapsed.TotalSeconds:F0} s");

        string key;
        using (var admin = new AgentsHttpClient(cluster.Api(names[0]), cluster.AdminKey)) key = (await admin.CreateKeyAsync("chaos")).Key;
        var load = new ChaosLoad(cluster, key, writers, users, TimeSpan.FromSeconds(runEvery));
        using var stop = new CancellationTokenSource();
        var loadTask = load.RunAsync(stop.Token);
        var probe = new RecoveryProbe(cluster, load, key, users, TimeSpan.FromSeconds(recoveryLimit));
        var faults = new List<FaultReport>();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            Console.WriteLine($"warm-up: {load.Acked.Count} adds acknowledged, {load.Runs.Count} runs started");

            // 1. kill -9 a silo, then start it again.
            var generation = await ActiveGenerationAsync(cluster, kill);
            var failures = load.Failures + load.RunFailures;
            load.MarkDown(kill);
            var at = Stopwatch.StartNew();
            await cluster.KillAsync(kill);
            var dead = WaitDeclaredDeadAsync(cluster, kill, generation, at, TimeSpan.FromSeconds(recoveryLimit));
            var recovered = await probe.MeasureAsync("kill", names.Where(n => n != kill).ToArray(), at);
            var deadAfter = await dead;
            await cluster.StartAsync(kill);
            await WaitReadyAsync(cluster, kill, TimeSpan.FromMinutes(3));
            load.MarkUp(kill);
            faults.Add(new FaultReport($"kill -9 {kill}", recovered, deadAfter, load.Failures + load.RunFailures - failures, $"back and ready {at.Elapsed.TotalSeconds:F1} s after the kill"));
            Report(faults[^1]);
            await Task.Delay(TimeSpan.FromSeconds(settle));

            // 2. restart PostgreSQL.
            failures = load.Failures + load.RunFailures;
            at = Stopwatch.StartNew();
            await cluster.RestartPostgresAsync();
            var restarted = at.Elapsed.TotalSeconds;
            recovered = await probe.MeasureAsync("postgres", names, at);
            faults.Add(new FaultReport("restart postgres", recovered, null, load.Failures + load.RunFailures - failures, $"docker restart took {restarted:F1} s"));
            Report(faults[^1]);
            await Task.Delay(TimeSpan.FromSeconds(settle));

            // 3. cut a silo off the network: declared dead, no longer serving, its grains elsewhere; then reconnect.
            generation = await ActiveGenerationAsync(cluster, cut);
            var exits = await cluster.ExitsAsync(cut);
            failures = load.Failures + load.RunFailures;
            load.MarkDown(cut);
            at = Stopwatch.StartNew();
            await cluster.DisconnectAsync(cut);
            dead = WaitDeclaredDeadAsync(cluster, cut, generation, at, TimeSpan.FromSeconds(recoveryLimit));
            recovered = await probe.MeasureAsync("cut", names.Where(n => n != cut).ToArray(), at);
            deadAfter = await dead;
            var readyInside = await cluster.ReadyFromInsideAsync(cut);
            Console.WriteLine($"cut {cut}: declared dead after {Seconds(deadAfter)} s; ready from inside its own network: {(readyInside ? "yes" : "no")}");
            await cluster.ConnectAsync(cut);
            var reconnected = at.Elapsed.TotalSeconds;
            // Back on the network it reads that it was declared dead and ends itself (then it is started again).
            var ended = await WaitExitAsync(cluster, cut, exits, TimeSpan.FromSeconds(90));
            Console.WriteLine($"cut {cut}: reconnected at {reconnected:F1} s; {(ended is { } e ? $"it ended itself {e:F1} s later" : "it did not end itself within 90 s")}");
            await cluster.StartAsync(cut);
            await WaitReadyAsync(cluster, cut, TimeSpan.FromMinutes(3));
            load.MarkUp(cut);
            faults.Add(new FaultReport($"cut {cut} off the network", recovered, deadAfter, load.Failures + load.RunFailures - failures,
                $"not ready inside while cut: {!readyInside}; ended itself on reconnect: {ended is not null}; back and ready {at.Elapsed.TotalSeconds:F1} s after the cut"));
            Report(faults[^1]);
            await Task.Delay(TimeSpan.FromSeconds(settle));
        }
        finally
        {
            await stop.CancelAsync();
            await loadTask;
        }

        // Every run ends (finished, or failed with a reason); every acknowledged add is readable.
        var verify = new ChaosVerifier(cluster, key);
        var runs = await verify.RunsAsync(load.Runs, TimeSpan.FromSeconds(drain));
        var writes = await verify.WritesAsync(load.Acked);
        // A fault the cluster did not recover from within the limit counts as the limit.
        var worst = faults.Count == 0 ? double.NaN : faults.Max(f => f.RecoverySeconds ?? recoveryLimit);
        Console.WriteLine($"load: {load.Attempts} add attempts, {load.Failures} failed and retried, {load.GivenUp} given up (never acknowledged); {load.RunAttempts} run starts sent, {load.RunFailures} failed and retried");
        Console.WriteLine($"adds: {load.Acked.Count} acknowledged, {writes.Lost} lost{(writes.Lost > 0 ? $" (e.g. {string.Join(", ", writes.Examples)})" : "")}");
        Console.WriteLine($"runs: {runs.Started} started, {runs.Completed} completed, {runs.Failed} failed with a reason, {runs.Unaccounted} unaccounted{(runs.Unaccounted > 0 ? $" (e.g. {string.Join(", ", runs.Examples)})" : "")}");
        foreach (var reason in runs.Reasons.Take(5)) Console.WriteLine($"  failed: {reason.Value} x {reason.Key}");
        Console.WriteLine($"worst recovery: {worst:F1} s (target < 30 s); total {clock.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine(FormattableString.Invariant($"RESULT chaos acked={load.Acked.Count} lost={writes.Lost} runs={runs.Started} unaccounted={runs.Unaccounted} recovery_s={worst:F1}"));
        return 0;
    }

    private static void Report(FaultReport fault) =>
        Console.WriteLine($"fault '{fault.Fault}': served again after {Seconds(fault.RecoverySeconds)} s; declared dead after {Seconds(fault.DeclaredDeadSeconds)} s; {fault.FailedRequests} requests failed meanwhile; {fault.Note}");

    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "-";

    /// <summary>The generation of the silo's active row in Orleans' membership table.</summary>
    private static async Task<int> ActiveGenerationAsync(IChaosCluster cluster, string silo)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(Unpooled(cluster));
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT generation FROM orleans_membership_silo WHERE cluster_id = @c AND silo_name = @n AND status = 3 ORDER BY generation DESC LIMIT 1", connection);
                command.Parameters.AddWithValue("c", cluster.ClusterId);
                command.Parameters.AddWithValue("n", silo);
                if (await command.ExecuteScalarAsync() is int generation) return generation;
                if (attempt >= 30) throw new InvalidOperationException($"{silo} has no active row in the membership table");
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && attempt < 30) { }
            await Task.Delay(1000);
        }
    }

    /// <summary>A connection of its own each time: a pooled one would be dead after PostgreSQL's restart.</summary>
    private static string Unpooled(IChaosCluster cluster) => new NpgsqlConnectionStringBuilder(cluster.PostgresConnection) { Pooling = false }.ConnectionString;

    /// <summary>Seconds from the fault until that incarnation's row says Dead (6), or null past the limit.</summary>
    private static async Task<double?> WaitDeclaredDeadAsync(IChaosCluster cluster, string silo, int generation, Stopwatch since, TimeSpan limit)
    {
        while (since.Elapsed < limit)
        {
            try
            {
                await using var connection = new NpgsqlConnection(Unpooled(cluster));
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT status FROM orleans_membership_silo WHERE cluster_id = @c AND silo_name = @n AND generation = @g", connection);
                command.Parameters.AddWithValue("c", cluster.ClusterId);
                command.Parameters.AddWithValue("n", silo);
                command.Parameters.AddWithValue("g", generation);
                if (await command.ExecuteScalarAsync() is 6) return since.Elapsed.TotalSeconds;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException) { }
            await Task.Delay(250);
        }
        return null;
    }

    private static async Task<double?> WaitExitAsync(IChaosCluster cluster, string silo, int exitsBefore, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await cluster.ExitsAsync(silo) > exitsBefore) return clock.Elapsed.TotalSeconds;
            await Task.Delay(500);
        }
        return null;
    }

    private static async Task WaitReadyAsync(IChaosCluster cluster, string silo, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(cluster.Api(silo), "health/ready"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{silo} not ready {limit.TotalSeconds:F0} s after it was started again:\n{await cluster.LogsAsync(silo)}");
    }

    private static async Task<string> PostgresImageAsync(string root)
    {
        if (Environment.GetEnvironmentVariable("AGENTS_PG_IMAGE") is { Length: > 0 } image) return image;
        return (await Shell.CheckAsync(Path.Combine(root, "infra/images/postgres/build.sh"), [], root, timeout: TimeSpan.FromMinutes(20))).Split('\n')[0].Trim();
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Agents.sln"))) return directory.FullName;
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Agents.sln"))) return directory.FullName;
        throw new InvalidOperationException("the repository root (Agents.sln) was not found above the bench or the current directory");
    }
}
