// Adds the scripted turns to one scope over PostgreSQL while the engine's background pipelines run:
//   Agents.IngestCrash --pg <connection string> --tenant <t> --user <u> --turns <n> --lease-ms <ms>
// Prints "ACK <i> <episode id>" once add i returned (durable), then "ADDED"; runs until killed or stdin closes.
using Agents.Inference.Offline;
using Agents.Infra;
using Agents.IngestCrash;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;

string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required");
var scope = new MemoryScope(Arg("--tenant"), userId: Arg("--user"));
var turns = int.Parse(Arg("--turns"), System.Globalization.CultureInfo.InvariantCulture);
var lease = TimeSpan.FromMilliseconds(int.Parse(Arg("--lease-ms"), System.Globalization.CultureInfo.InvariantCulture));

await using var dataSource = PostgresDataSource.Create(Arg("--pg"));
var store = new PostgresMemoryStore(dataSource, new MemoryStoreOptions { Dimension = IngestCrashScript.Dimension });
var embedder = new HashingEmbedder(new HashingEmbedderOptions { Dimensions = IngestCrashScript.Dimension });
await using var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(),
    new MemoryEngineOptions { Lease = lease, PollInterval = TimeSpan.FromMilliseconds(20), ClaimBatchSize = 1 });
await engine.StartAsync();
for (var i = 0; i < turns; i++)
{
    var added = await engine.AddAsync(IngestCrashScript.Turn(scope, i));
    Console.WriteLine($"ACK {i} {added.EpisodeId}");
    // Unpaced: the background stages run while adds still arrive and fall behind them (a job's reads,
    // decisions and write take longer than an add's one round trip), so a kill finds work in flight.
}
Console.WriteLine("ADDED");
await Console.In.ReadToEndAsync();
