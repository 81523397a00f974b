using System.Diagnostics;
using System.Globalization;
using Agents.Abstractions.Teams;
using Agents.Abstractions.Workflows;
using Agents.Bench.Grains;
using Agents.Client.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Bench;

/// <summary>
/// <c>workflows</c>: every example under examples/ run offline, 20 times each, on two silos (this
/// process and the product's silo process) over PostgreSQL, 8 runs at a time. Each example's first run
/// goes alone; the rest follow, and count as reusing an insight when they were given one that the
/// team held after the first run. Reports runs completed and failed, p95 step and run latency.
/// </summary>
public static class WorkflowsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var runsPerExample = options.Int("runs", 20);
        var parallel = options.Int("parallel", 8);
        var examplesDir = options.String("examples", FindExamples());
        // The product's offline default (the sentence model) unless told otherwise (hashing: the fastest).
        var embedder = options.String("embedder", "minilm");
        options.EnsureAllUsed();
        if (runsPerExample < 2 || parallel < 1) throw new BenchUsageException("--runs must be at least 2 and --parallel at least 1");
        var files = Directory.GetFiles(examplesDir, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new BenchUsageException($"no workflows (*.yaml) in {examplesDir}");
        var definitions = new List<(string Name, WorkflowDefinition Definition)>();
        foreach (var file in files)
        {
            var read = WorkflowDefinitionReader.Read(await File.ReadAllTextAsync(file));
            if (read.Definition is null) throw new BenchUsageException($"{file}: {string.Join("; ", read.Problems)}");
            definitions.Add((Path.GetFileNameWithoutExtension(file), read.Definition));
        }
        Console.WriteLine($"workflows bench: {definitions.Count} examples x {runsPerExample} runs, {parallel} at a time, 2 silos on PostgreSQL, offline models, embedder={embedder}, cores={Environment.ProcessorCount} load={BenchStats.LoadAverage()}");

        await using var database = await BenchDatabase.CreateAsync(maxPoolSize: 32);
        var cluster = $"wfb-{Guid.NewGuid():N}"[..16];
        var (localPort, localGateway) = (LocalSilo.FreePort(), LocalSilo.FreePort());
        using var local = await LocalSilo.StartAsync(cluster, localPort, localGateway, new Dictionary<string, string?> { ["Agents:Postgres"] = database.ConnectionString, ["Agents:Memory:Embedder"] = embedder });
        await using var remote = await SecondSilo.StartAsync(cluster, LocalSilo.FreePort(), LocalSilo.FreePort(), localPort,
            new Dictionary<string, string> { ["Agents__Postgres"] = database.ConnectionString, ["Agents__Inference__OnCpu"] = "true", ["Agents__Memory__Embedder"] = embedder }, CancellationToken.None);
        var grains = local.Services.GetRequiredService<IGrainFactory>();

        var runLatencies = new List<double>();
        var stepLatencies = new List<double>();
        var (completed, failed, reused, later) = (0, 0, 0, 0);
        foreach (var (name, definition) in definitions)
        {
            var tenant = $"bench-{name}";
            var team = grains.GetGrain<ITeamMemoryGrain>(new TeamKey(tenant, definition.Team).ToString());
            var first = await RunOneAsync(grains, tenant, definition);
            Tally(first);
            var learnt = (await team.InsightsAsync(100)).Select(i => i.Id).ToHashSet();
            var rest = new List<RunOutcome>();
            await Parallel.ForEachAsync(Enumerable.Range(1, runsPerExample - 1), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, _) =>
            {
                var outcome = await RunOneAsync(grains, tenant, definition);
                lock (rest) rest.Add(outcome);
            });
            foreach (var outcome in rest)
            {
                Tally(outcome);
                later++;
                if (outcome.Status.InsightsUsed.Any(learnt.Contains)) reused++;
            }
            Console.WriteLine($"{name,-18} {definition.Topology,-16} completed {1 + rest.Count(o => o.Status.State == WorkflowRunState.Completed)}/{runsPerExample}, " +
                $"run p95 {BenchStats.Percentile(rest.Select(o => o.Milliseconds).Append(first.Milliseconds).ToList(), 95):F0} ms, insights learnt after the first run: {learnt.Count}");
            Console.WriteLine($"  phases ms p50/p95, first run: {PhaseLine([first])}");
            Console.WriteLine($"  phases ms p50/p95, the others: {PhaseLine(rest)}");
            if (first.Status.State != WorkflowRunState.Completed) Console.WriteLine($"  first run {first.Status.State}: {first.Status.Error}");
        }

        void Tally(RunOutcome outcome)
        {
            if (outcome.Status.State == WorkflowRunState.Completed) completed++;
            else failed++;
            runLatencies.Add(outcome.Milliseconds);
            stepLatencies.AddRange(outcome.StepMilliseconds);
        }

        await local.StopAsync();
        var runs = completed + failed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT workflows runs={runs} completed={completed} failed={failed} step_p95_ms={BenchStats.Percentile(stepLatencies, 95):F1} run_p95_ms={BenchStats.Percentile(runLatencies, 95):F1} insight_reuse={(later == 0 ? 0 : (double)reused / later):F3}"));
        return failed == 0 ? 0 : 1;
    }

    private sealed record RunOutcome(WorkflowRunStatus Status, double Milliseconds, IReadOnlyList<double> StepMilliseconds, IReadOnlyList<double> PhaseMilliseconds);

    /// <summary>Where a run's time goes, from its events' times: the start call, the knowledge added to the
    /// team memory, the team's recall, the steps, the end (recording included when it is part of it), and
    /// the client's notice of the end.</summary>
    private static readonly string[] Phases = ["start", "knowledge", "recall", "steps", "end", "notice"];

    private static double[] PhasesOf(DateTimeOffset submitted, IReadOnlyList<WorkflowEvent> events, DateTimeOffset noticed)
    {
        var started = events.FirstOrDefault(e => e.Type == WorkflowEventType.RunStarted)?.At ?? submitted;
        var knowledge = events.FirstOrDefault(e => e.Type == WorkflowEventType.MemoryWritten && e.Step is null)?.At ?? started;
        var recalled = events.FirstOrDefault(e => e.Type == WorkflowEventType.MemoryRead && e.Step is null)?.At ?? knowledge;
        var stepped = events.LastOrDefault(e => e.Step is not null)?.At ?? recalled;
        var ended = events.LastOrDefault(e => WorkflowEventType.IsFinal(e.Type))?.At ?? stepped;
        DateTimeOffset[] marks = [submitted, started, knowledge, recalled, stepped, ended, noticed];
        return marks.Zip(marks.Skip(1), (a, b) => Math.Max(0, (b - a).TotalMilliseconds)).ToArray();
    }

    private static string PhaseLine(IReadOnlyCollection<RunOutcome> outcomes) =>
        string.Join(", ", Phases.Select((name, i) => string.Create(CultureInfo.InvariantCulture,
            $"{name} {BenchStats.Percentile(outcomes.Select(o => o.PhaseMilliseconds[i]).ToList(), 50):F0}/{BenchStats.Percentile(outcomes.Select(o => o.PhaseMilliseconds[i]).ToList(), 95):F0}")));

    private static async Task<RunOutcome> RunOneAsync(IGrainFactory grains, string tenant, WorkflowDefinition definition)
    {
        var watch = Stopwatch.StartNew();
        var submitted = DateTimeOffset.UtcNow;
        var grain = grains.GetGrain<IWorkflowGrain>(new WorkflowRunKey(tenant, WorkflowRunKey.NewRunId()).ToString());
        await grain.StartAsync(definition);
        var events = new List<WorkflowEvent>();
        long after = 0;
        while (true)
        {
            var next = await grain.EventsAsync(after, 500, TimeSpan.FromSeconds(10));
            events.AddRange(next);
            if (next.Count > 0) after = next[^1].Id;
            if (next.Any(e => WorkflowEventType.IsFinal(e.Type))) break;
        }
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var noticed = DateTimeOffset.UtcNow;
        var started = events.Where(e => e.Type == WorkflowEventType.StepStarted && e.Step is not null).GroupBy(e => e.Step!.Value).ToDictionary(g => g.Key, g => g.Last().At);
        var steps = events.Where(e => e.Type == WorkflowEventType.StepFinished && e.Step is { } n && started.ContainsKey(n))
            .Select(e => (e.At - started[e.Step!.Value]).TotalMilliseconds).ToArray();
        return new RunOutcome(await grain.StatusAsync(), elapsed, steps, PhasesOf(submitted, events, noticed));
    }


    private static string FindExamples()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "examples"))) return Path.Combine(dir.FullName, "examples");
        return "examples";
    }



}
