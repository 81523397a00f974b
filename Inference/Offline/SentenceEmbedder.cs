using Agents.Inference.Attention.Cuda;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Agents.Inference.Offline;

/// <summary>
/// The offline sentence embedder: all-MiniLM-L6-v2 (384 dimensions) on ONNX Runtime, as
/// sentence-transformers computes it. Unlike <see cref="HashingEmbedder"/> it knows that "launch" and
/// "release" are near, so a paraphrased question finds its memory; it costs milliseconds per text
/// (batch texts into one call). Identical texts are embedded once (<see cref="SentenceEmbedderOptions.CacheEntries"/>).
/// A text with nothing to tokenize (empty, blank) gives the all-zero vector, as the hashing embedder does:
/// it has no direction, stores refuse to index it and callers skip it. A null text is an error. Longer
/// texts than the model takes are cut to <see cref="SentenceEmbedderOptions.MaxTokens"/> tokens.
/// The model session is shared by every instance in the process with the same options.
/// </summary>
public sealed class SentenceEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SentenceEmbedderOptions _options;
    private readonly SentenceEncoder _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="options">Null: the defaults (the shipped model, 256 tokens, the cores of this machine).</param>
    /// <param name="cuda">The CUDA device the attention reader found (<c>MemoryReaderFactory.Device</c>);
    /// null or unavailable: the CPU.</param>
    /// <exception cref="FileNotFoundException">The model is not where the options say.</exception>
    public SentenceEmbedder(SentenceEmbedderOptions? options = null, CudaDeviceInfo? cuda = null, ILogger<SentenceEmbedder>? logger = null)
    {
        _options = options ?? new SentenceEmbedderOptions();
        _options.Validate();
        _encoder = SentenceEncoder.GetShared(_options, cuda, logger);
        Cache = new EmbeddingCache(_options.CacheEntries);
        _metadata = new EmbeddingGeneratorMetadata("offline-onnx", null, _options.ModelId, _encoder.Dimension);
    }

    public int Dimensions => _encoder.Dimension;

    /// <summary><c>cpu</c> or <c>cuda:N (device)</c>.</summary>
    public string ExecutionProvider => _encoder.Provider;

    public EmbeddingCache Cache { get; }

    public SentenceTokenizer Tokenizer => _encoder.Tokenizer;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } asked && asked != Dimensions)
            throw new ArgumentException($"This sentence model produces {Dimensions} dimensions; {asked} were requested.", nameof(options));
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var vectors = new float[texts.Count][];
        // Texts not in the cache, each once, with the places that want it.
        var wanted = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? throw new ArgumentException($"The text to embed at position {i} is null.", nameof(values));
            if (Cache.TryGet(text, out var cached)) vectors[i] = cached;
            else if (wanted.TryGetValue(text, out var places)) places.Add(i);
            else wanted[text] = [i];
        }
        if (wanted.Count > 0)
        {
            var toRun = new List<(string Text, int[] Ids)>(wanted.Count);
            foreach (var text in wanted.Keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ids = _encoder.Tokenizer.Encode(text);
                if (ids.Length > 2) toRun.Add((text, ids));
                else Place(text, new float[Dimensions], cache: false); // [CLS] [SEP] alone: nothing to embed
            }
            var encoded = await _encoder.EncodeAsync(toRun.ConvertAll(static t => t.Ids), _options.BatchSize, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < toRun.Count; j++) Place(toRun[j].Text, encoded[j], cache: true);
        }

        var now = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        foreach (var vector in vectors) result.Add(new Embedding<float>(vector) { ModelId = _options.ModelId, CreatedAt = now });
        return result;

        void Place(string text, float[] vector, bool cache)
        {
            foreach (var i in wanted[text]) vectors[i] = vector;
            if (cache && text.Length <= _options.CacheMaxTextLength) Cache.Add(text, vector);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the model session is the process's (<see cref="SentenceEncoder.GetShared"/>).</summary>
    public void Dispose() { }
}
