using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agents.Client.Api;

namespace Agents.Cli;

/// <summary>
/// <c>agents memory import FILE.jsonl</c>: bulk ingest through <c>POST /api/v1/memories/batch</c>. The
/// whole file is read and checked first (a line that is not an add stops the import before anything is
/// sent, naming the line); then the adds go in batches, in file order. A batch the server refuses stops
/// the import, naming the line and which lines were stored before it.
/// </summary>
public static partial class JsonlImport
{
    public static async Task RunAsync(IAgentsMemoryApi api, FileInfo file, MemoryScopeIds scope, int batchSize, TextWriter output, CancellationToken cancellationToken)
    {
        if (batchSize is < 1 or > 1000) throw new CliInputException($"--batch must lie between 1 and 1000; got {batchSize}.");
        if (!file.Exists) throw new CliInputException($"'{file.FullName}' does not exist.");
        var adds = new List<(int Line, int Bytes, AddMemoryRequest Add)>();
        var number = 0;
        using (var reader = file.OpenText())
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                number++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                AddMemoryRequest? add;
                try
                {
                    add = JsonSerializer.Deserialize<AddMemoryRequest>(line, AgentsJson.Options);
                }
                catch (JsonException e)
                {
                    throw new CliInputException($"{file.Name} line {number}: not an add ({e.Message}).");
                }
                if (add is null) throw new CliInputException($"{file.Name} line {number}: not an add (null).");
                // A line without scope ids goes to the command's scope.
                if (add.Scope.IsEmpty) add = add with { UserId = scope.UserId, AgentId = scope.AgentId, RunId = scope.RunId, TeamId = scope.TeamId };
                adds.Add((number, line.Length, add));
            }
        }
        if (adds.Count == 0) throw new CliInputException($"{file.Name} holds no adds.");

        var watch = Stopwatch.StartNew();
        var stored = 0;
        var repeated = 0;
        List<(int Line, int Bytes, AddMemoryRequest Add)> batch = [];
        for (var start = 0; start < adds.Count; start += batch.Count)
        {
            // At most batchSize adds, and well under the API's body limit (1 MiB by default).
            batch = [];
            for (long bytes = 0; start + batch.Count < adds.Count && batch.Count < batchSize && (batch.Count == 0 || bytes + adds[start + batch.Count].Bytes <= MaxRequestChars); )
            {
                bytes += adds[start + batch.Count].Bytes + 1;
                batch.Add(adds[start + batch.Count]);
            }
            AddMemoriesResponse response;
            try
            {
                response = await api.AddManyAsync(new AddMemoriesRequest(batch.ConvertAll(static a => a.Add)), cancellationToken);
            }
            catch (AgentsApiException e) when ((int)e.Status is >= 400 and < 500)
            {
                var line = AddIndex().Match(e.Message) is { Success: true } m && int.TryParse(m.Groups[1].ValueSpan, out var i) && i < batch.Count ? $"line {batch[i].Line}" : $"lines {batch[0].Line}-{batch[^1].Line}";
                var before = start == 0 ? "nothing was stored" : $"the adds before line {batch[0].Line} were stored";
                throw new CliInputException($"{file.Name} {line}: {e.Message} ({before}).");
            }
            stored += response.Results.Count;
            repeated += response.Results.Count(static r => r.Repeated);
        }
        await output.WriteLineAsync(FormattableString.Invariant(
            $"imported {stored} adds from {file.Name} ({repeated} repeated, already stored) in {watch.Elapsed.TotalSeconds:F1} s; enrichment follows in the background"));
    }

    private const long MaxRequestChars = 512 * 1024;

    [GeneratedRegex(@"^Add (\d+):")]
    private static partial Regex AddIndex();
}
