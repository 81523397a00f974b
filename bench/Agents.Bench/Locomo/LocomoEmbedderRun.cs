using System.Diagnostics;
using Agents.Inference.Offline;
using Agents.Memory.Retrieval;
using Microsoft.Extensions.AI;

namespace Agents.Bench.Locomo;

/// <summary>
/// One embedder's part of a locomo run (<c>--embedder minilm,hashing</c> runs each on the same data):
/// its retrieval profile with the command line's overrides, and what it scored and took.
/// </summary>
public sealed class LocomoEmbedderRun
{
    public const string MiniLm = "minilm";
    public const string Hashing = "hashing";

    private readonly int _dimensions;
    private SentenceEmbedder? _sentence;
    // The embedded store's comparison run (with --store postgres) has an embedder and cache of its own (the
    // model's session is the process's): sharing the cache, it would find most of its texts embedded by the
    // PostgreSQL run, and its times would not compare.
    private SentenceEmbedder? _comparisonSentence;

    private readonly SentenceEmbedderOptions _sentenceOptions;

    public LocomoEmbedderRun(string name, HybridRetrieverOptions options, int dimensions, SentenceEmbedderOptions sentenceOptions)
    {
        Name = name;
        Options = options;
        _dimensions = dimensions;
        _sentenceOptions = sentenceOptions;
    }

    public string Name { get; }
    public HybridRetrieverOptions Options { get; }
    public TurnRetrievalScore Score { get; } = new();
    public List<(string SampleId, TurnRetrievalScore Score)> PerConversation { get; } = [];
    public Stopwatch IngestWatch { get; } = new();
    public List<double> Latencies { get; } = [];
    public int Ingested { get; set; }
    /// <summary>Runs each conversation's jobs as its memory grain does (one job per claim of the scope),
    /// not through the engine's processor (claims of up to four jobs of any scope).</summary>
    public bool GrainPath { get; set; }
    public IReadOnlyList<HybridRetrieverOptions> Grid { get; set; } = [];
    /// <summary>With <c>--store postgres</c>: the same run on the embedded store, for the ratios.</summary>
    public TurnRetrievalScore EmbeddedScore { get; } = new();
    public Stopwatch EmbeddedIngestWatch { get; } = new();
    public List<double> EmbeddedLatencies { get; } = [];
    public List<Dictionary<string, TurnRetrievalScore>> GridScores { get; set; } = [];
    /// <summary>With <c>--store postgres</c>: round trips to the database while ingesting and while answering.</summary>
    public long IngestRoundTrips { get; set; }
    public long SearchRoundTrips { get; set; }
    public double IngestRoundTripMs { get; set; }
    /// <summary>With <c>--store postgres</c>: the ingest jobs' stage times on each store (count, summed ms).</summary>
    public Dictionary<string, (long Count, double Milliseconds)> IngestStages { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (long Count, double Milliseconds)> EmbeddedIngestStages { get; } = new(StringComparer.Ordinal);

    /// <summary>The product's profile for the embedder.</summary>
    public static HybridRetrieverOptions Profile(string name) =>
        name == MiniLm ? HybridRetrieverOptions.ForSentenceEmbedder() : HybridRetrieverOptions.ForOfflineEmbedder();

    /// <summary>The embedder for a conversation: one sentence embedder per run and store, each with its own
    /// cache (<paramref name="comparison"/>: the embedded store's run beside PostgreSQL); the hashing
    /// embedder costs nothing to make.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embedder(bool comparison = false) => Name == MiniLm
        ? comparison ? _comparisonSentence ??= new SentenceEmbedder(_sentenceOptions) : _sentence ??= new SentenceEmbedder(_sentenceOptions)
        : new HashingEmbedder(new HashingEmbedderOptions { Dimensions = _dimensions });

    /// <summary>The sentence model's cache after the run: texts asked for, and how many came from the cache.</summary>
    public string CacheReport() => _sentence is null ? "" : $", {_sentence.Cache.Stats.Hits + _sentence.Cache.Stats.Misses} texts embedded, {_sentence.Cache.Stats.Hits} of them from the cache";

    public string Describe() => Name == MiniLm
        ? $"all-MiniLM-L6-v2 on ONNX Runtime ({(_sentence ??= new SentenceEmbedder(_sentenceOptions)).ExecutionProvider}, {_sentenceOptions.EffectiveIntraOpThreads} threads, {_sentenceOptions.MaxTokens} tokens, {_sentence.Dimensions} d)"
        : $"hashing embedder ({_dimensions} d)";
}
