// Agents.Bench: one subcommand per suite. Each suite prints its figures and ends with one line
// `RESULT <suite> key=value ...`. Results and commands are recorded in docs/benchmarks.md.
using Agents.Bench;

var suites = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    // suites register here: ["name"] = NameBench.RunAsync,
    ["grains"] = GrainsBench.RunAsync,
    ["api"] = ApiBench.RunAsync,
    ["locomo"] = LocomoBench.RunAsync,
    ["store"] = StoreBench.RunAsync,
    ["reader"] = ReaderBench.RunAsync,
    ["workflows"] = WorkflowsBench.RunAsync,
    ["chaos"] = Agents.Bench.Chaos.ChaosBench.RunAsync,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: Agents.Bench <{string.Join('|', suites.Keys)}> [options]");
    return 2;
}
try
{
    return await suite(args[1..]);
}
catch (BenchUsageException e)
{
    // A bad option is the caller's mistake: say which, without a stack trace.
    Console.Error.WriteLine($"{args[0]}: {e.Message}");
    return 2;
}
