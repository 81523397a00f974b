using System.Collections.Concurrent;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// Answers the memory pipelines' structured calls on the scripted server by step, recognised from the
/// system prompt: scripted answers first (in order, per step), then a benign default. Records which
/// step each request was for, so a test can find "the consolidation request".
/// </summary>
public sealed class PipelineRouter
{
    public const string Enrichment = "enrichment", Evolution = "evolution", Extraction = "extraction",
        Consolidation = "consolidation", Entities = "entities", Invalidation = "invalidation";

    // A phrase from each step's system prompt (Memory/Pipelines/Llm/MemoryPrompts.cs).
    private static readonly (string Marker, string Step)[] Markers =
    [
        ("You annotate one message", Enrichment),
        ("network of linked memory notes", Evolution),
        ("You extract durable facts", Extraction),
        ("You keep a memory of facts up to date", Consolidation),
        ("You build a knowledge graph", Entities),
        ("You keep a knowledge graph current", Invalidation),
    ];

    private static readonly Dictionary<string, string> Defaults = new()
    {
        [Enrichment] = """{"keywords": ["memory", "conversation", "detail"], "context": "A message in a conversation.", "tags": ["personal", "statement", "life"]}""",
        [Evolution] = """{"should_evolve": false, "actions": [], "suggested_connections": [], "tags_to_update": [], "neighbour_updates": []}""",
        [Extraction] = """{"facts": []}""",
        [Consolidation] = """{"decisions": []}""",
        [Entities] = """{"entities": [], "relations": []}""",
        [Invalidation] = """{"contradicted": []}""",
    };

    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<RecordedRequest, ScriptedResponse>>> _scripted = new();
    private readonly ConcurrentQueue<(string Step, RecordedRequest Request)> _seen = new();

    public PipelineRouter(ScriptedOpenAiServer server) => server.AnswerOtherwiseWith(Answer);

    /// <summary>The next request for <paramref name="step"/> gets this JSON as the assistant's answer.</summary>
    public PipelineRouter Then(string step, string json) => Then(step, _ => ScriptedResponse.Chat(json));

    public PipelineRouter Then(string step, Func<RecordedRequest, ScriptedResponse> answer)
    {
        _scripted.GetOrAdd(step, _ => new()).Enqueue(answer);
        return this;
    }

    public IReadOnlyList<RecordedRequest> RequestsFor(string step) => _seen.Where(s => s.Step == step).Select(s => s.Request).ToList();

    /// <summary>Embeddings a configured endpoint asks for: the tests' deterministic hashing embedder, served over HTTP.</summary>
    private static ScriptedResponse Embed(RecordedRequest request)
    {
        var embedder = new Agents.Tests.Unit.Memory.Pipelines.HashingEmbedder(EmbeddingDimension);
        var inputs = request.Json.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToList();
        return ScriptedResponse.Embeddings(inputs.Select(embedder.Embed).ToList());
    }

    public const int EmbeddingDimension = 384;

    public static string StepOf(RecordedRequest request)
    {
        var system = request.Messages[0].Content;
        foreach (var (marker, step) in Markers)
            if (system.Contains(marker, StringComparison.Ordinal)) return step;
        throw new InvalidOperationException("Unrecognised pipeline prompt: " + system[..Math.Min(120, system.Length)]);
    }

    private ScriptedResponse Answer(RecordedRequest request)
    {
        if (request.Path.EndsWith("/embeddings", StringComparison.Ordinal)) return Embed(request);
        var step = StepOf(request);
        _seen.Enqueue((step, request));
        if (_scripted.TryGetValue(step, out var queue) && queue.TryDequeue(out var scripted)) return scripted(request);
        return ScriptedResponse.Chat(Defaults[step]);
    }
}
