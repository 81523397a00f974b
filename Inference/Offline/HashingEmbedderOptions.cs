namespace Agents.Inference.Offline;

/// <summary>
/// Options of <see cref="HashingEmbedder"/> (options pattern: bind from "Inference:HashingEmbedder").
/// The defaults give 384 dimensions, the store's default, so offline vectors fit the pgvector index.
/// </summary>
public sealed class HashingEmbedderOptions
{
    /// <summary>Vector length; the hashed features are folded into this many buckets.</summary>
    public int Dimensions { get; set; } = 384;

    /// <summary>Weight of a word unigram (after sublinear tf).</summary>
    public float UnigramWeight { get; set; } = 1.0f;

    /// <summary>Weight of a word bigram (two consecutive content words): captures short phrases.</summary>
    public float BigramWeight { get; set; } = 0.5f;

    /// <summary>Weight of a character n-gram of a word: tolerates inflection and typos ("tourney" / "tournament").</summary>
    public float CharNGramWeight { get; set; } = 0.35f;

    /// <summary>Shortest character n-gram (counted on the word with boundary marks, e.g. "&lt;paint&gt;").</summary>
    public int CharNGramMin { get; set; } = 3;

    /// <summary>Longest character n-gram.</summary>
    public int CharNGramMax { get; set; } = 5;

    /// <summary>Drop the shared English stop words (<see cref="Agents.Inference.Text.EnglishStopWords"/>, PostgreSQL's list) before
    /// hashing: they dominate short texts otherwise.</summary>
    public bool RemoveStopWords { get; set; } = true;

    /// <summary>
    /// Optional inverse document frequencies of lower-cased words; a word's features are multiplied by
    /// its value (words missing from the table use <see cref="DefaultIdf"/>). Null: idf-free.
    /// </summary>
    public IReadOnlyDictionary<string, float>? Idf { get; set; }

    /// <summary>Weight of words absent from <see cref="Idf"/>.</summary>
    public float DefaultIdf { get; set; } = 1.0f;

    /// <summary>Reported as the embedding's model id, so vectors of different configurations are never mixed silently.</summary>
    public string ModelId { get; set; } = "hashing-v1";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Dimensions is < 8 or > 65_536)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must lie between 8 and 65536.");
        if (CharNGramMin < 1 || CharNGramMax < CharNGramMin || CharNGramMax > 16)
            throw new ArgumentOutOfRangeException(nameof(CharNGramMax), $"Character n-gram lengths must satisfy 1 <= min ({CharNGramMin}) <= max ({CharNGramMax}) <= 16.");
        if (!float.IsFinite(UnigramWeight) || UnigramWeight < 0) throw new ArgumentOutOfRangeException(nameof(UnigramWeight), UnigramWeight, "Weights must be finite and non-negative.");
        if (!float.IsFinite(BigramWeight) || BigramWeight < 0) throw new ArgumentOutOfRangeException(nameof(BigramWeight), BigramWeight, "Weights must be finite and non-negative.");
        if (!float.IsFinite(CharNGramWeight) || CharNGramWeight < 0) throw new ArgumentOutOfRangeException(nameof(CharNGramWeight), CharNGramWeight, "Weights must be finite and non-negative.");
        if (UnigramWeight + BigramWeight + CharNGramWeight <= 0) throw new ArgumentOutOfRangeException(nameof(UnigramWeight), "At least one feature weight must be positive.");
        if (!float.IsFinite(DefaultIdf) || DefaultIdf < 0) throw new ArgumentOutOfRangeException(nameof(DefaultIdf), DefaultIdf, "DefaultIdf must be finite and non-negative.");
        if (string.IsNullOrWhiteSpace(ModelId)) throw new ArgumentOutOfRangeException(nameof(ModelId), "ModelId must not be empty.");
    }
}
