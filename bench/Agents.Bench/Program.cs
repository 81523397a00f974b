// Agents.Bench: one subcommand per suite. Each suite prints its figures and ends with one line
// `RESULT <suite> key=value ...`. Results and commands are recorded in docs/benchmarks.md.
using Agents.Bench;

var suites = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    // suites register here: ["name"] = NameBench.RunAsync,
    ["store"] = StoreBench.RunAsync,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: Agents.Bench <{string.Join('|', suites.Keys)}> [options]");
    return 2;
}
return await suite(args[1..]);
