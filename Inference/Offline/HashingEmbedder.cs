using System.Buffers;
using System.Numerics.Tensors;
using Agents.Inference.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agents.Inference.Offline;

/// <summary>
/// An offline, deterministic embedder: no model, no network. A text becomes a bag of features (lower-cased
/// word unigrams, bigrams of consecutive content words and character n-grams of each word with boundary
/// marks), each weighted by sublinear term frequency (1 + ln tf), optionally by an idf table, and folded by
/// signed feature hashing (64-bit FNV-1a, so identical on every machine and process) into a fixed number of
/// buckets; the vector is then L2-normalised. Cosine similarity between two vectors approximates weighted
/// lexical overlap with tolerance for inflection and typos; it knows no synonyms. A text with no features
/// (empty, blank, only punctuation or stop words) gives the all-zero vector, which has no direction: stores
/// refuse to index it and callers should skip it.
/// </summary>
public sealed class HashingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int MaxCharGramWordLength = 48;
    private const byte KindUnigram = 1, KindBigram = 2, KindCharGram = 3;

    private readonly HashingEmbedderOptions _options;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly Dictionary<string, float>.AlternateLookup<ReadOnlySpan<char>>? _idf;

    public HashingEmbedder(HashingEmbedderOptions? options = null)
    {
        _options = options ?? new HashingEmbedderOptions();
        _options.Validate();
        // Copied once into an ordinal dictionary so a word is looked up by span, without a string per word.
        if (_options.Idf is { } idf)
            _idf = new Dictionary<string, float>(idf, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _metadata = new EmbeddingGeneratorMetadata("offline-hashing", null, _options.ModelId, _options.Dimensions);
    }

    public HashingEmbedder(IOptions<HashingEmbedderOptions> options) : this(options.Value) { }

    public int Dimensions => _options.Dimensions;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } asked && asked != _options.Dimensions)
            throw new ArgumentException($"This hashing embedder produces {_options.Dimensions} dimensions; {asked} were requested. Configure HashingEmbedderOptions.Dimensions instead.", nameof(options));
        var result = new GeneratedEmbeddings<Embedding<float>>();
        var now = DateTimeOffset.UtcNow;
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (value is null) throw new ArgumentException("One of the values to embed is null.", nameof(values));
            result.Add(new Embedding<float>(Embed(value)) { ModelId = _options.ModelId, CreatedAt = now });
        }
        return Task.FromResult(result);
    }

    /// <summary>Embeds one text synchronously (the work is CPU-only and takes microseconds).</summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[_options.Dimensions];
        if (text.Length == 0) return vector;

        var lower = ArrayPool<char>.Shared.Rent(text.Length);
        var words = new List<(int Start, int Length)>();
        try
        {
            var n = text.AsSpan().ToLowerInvariant(lower);
            SplitWords(lower.AsSpan(0, n), words);
            var features = new Dictionary<ulong, (float WeightSum, int Count)>();
            var previous = -1;
            for (var w = 0; w < words.Count; w++)
            {
                var word = lower.AsSpan(words[w].Start, words[w].Length);
                var idf = IdfOf(word);
                if (idf <= 0) { previous = -1; continue; }
                if (_options.UnigramWeight > 0) Add(features, Hash(KindUnigram, word, default), _options.UnigramWeight * idf);
                if (_options.BigramWeight > 0 && previous >= 0)
                {
                    var before = lower.AsSpan(words[previous].Start, words[previous].Length);
                    Add(features, Hash(KindBigram, before, word), _options.BigramWeight * 0.5f * (idf + IdfOf(before)));
                }
                if (_options.CharNGramWeight > 0) AddCharGrams(features, word, _options.CharNGramWeight * idf);
                previous = w;
            }
            foreach (var (hash, (weightSum, count)) in features)
            {
                var bucket = (int)(hash % (ulong)vector.Length);
                var sign = (hash >> 63) == 0 ? 1f : -1f;
                vector[bucket] += sign * (weightSum / count) * (1f + MathF.Log(count));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(lower);
        }
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() { }

    // Stop words give no features and break bigram chains, so "went to the park" pairs nothing with "the".
    private float IdfOf(ReadOnlySpan<char> word)
    {
        if (_options.RemoveStopWords && EnglishStopWords.Contains(word)) return 0;
        if (_idf is { } idf)
            return idf.TryGetValue(word, out var value) ? value : _options.DefaultIdf;
        return 1f;
    }

    private void AddCharGrams(Dictionary<ulong, (float, int)> features, ReadOnlySpan<char> word, float weight)
    {
        if (word.Length > MaxCharGramWordLength) word = word[..MaxCharGramWordLength];
        Span<char> bounded = stackalloc char[MaxCharGramWordLength + 2];
        bounded[0] = '<';
        word.CopyTo(bounded[1..]);
        bounded[word.Length + 1] = '>';
        var marked = bounded[..(word.Length + 2)];
        for (var size = _options.CharNGramMin; size <= _options.CharNGramMax && size <= marked.Length; size++)
        {
            for (var i = 0; i + size <= marked.Length; i++)
                Add(features, Hash(KindCharGram, marked.Slice(i, size), default), weight);
        }
    }

    private static void Add(Dictionary<ulong, (float WeightSum, int Count)> features, ulong hash, float weight)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(features, hash, out _);
        slot = (slot.WeightSum + weight, slot.Count + 1);
    }

    /// <summary>Words are maximal runs of letters and digits, so an apostrophe splits a word as PostgreSQL's
    /// parser does ("don't" -> "don" + "t", both stop words). An English clitic after the apostrophe
    /// ("i'm", "we've", "you'll", "they're", "she'd") is not a word of its own and is skipped.</summary>
    private static void SplitWords(ReadOnlySpan<char> text, List<(int, int)> words)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (IsClitic(text, start, i)) continue;
            words.Add((start, i - start));
        }
    }

    // The contracted auxiliaries "am", "have", "will", "are", "would"/"had" ("s" and "t" are stop words already).
    // Left in, "m" or "ve" would be a feature shared by most chat turns.
    private static bool IsClitic(ReadOnlySpan<char> text, int start, int end) =>
        start >= 2 && text[start - 1] is '\'' or '\u2019' && char.IsLetter(text[start - 2])
        && text[start..end] is "m" or "ve" or "ll" or "re" or "d";

    // FNV-1a over the kind tag and the characters (both bytes of each UTF-16 unit), then a SplitMix64
    // finaliser so that the low bits (bucket) and the top bit (sign) are well mixed.
    private static ulong Hash(byte kind, ReadOnlySpan<char> first, ReadOnlySpan<char> second)
    {
        const ulong offset = 14695981039346656037UL, prime = 1099511628211UL;
        var h = (offset ^ kind) * prime;
        foreach (var c in first) { h = (h ^ (byte)c) * prime; h = (h ^ (byte)(c >> 8)) * prime; }
        if (!second.IsEmpty)
        {
            h = (h ^ 0x1F) * prime;
            foreach (var c in second) { h = (h ^ (byte)c) * prime; h = (h ^ (byte)(c >> 8)) * prime; }
        }
        h ^= h >> 30; h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27; h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return h;
    }
}
