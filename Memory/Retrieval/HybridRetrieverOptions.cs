namespace Agents.Memory.Retrieval;

/// <summary>Options of <see cref="HybridRetriever"/> (options pattern: bind from "Memory:Retrieval").</summary>
public sealed class HybridRetrieverOptions
{
    /// <summary>RRF's k: larger values flatten the advantage of the first ranks.</summary>
    public double RrfK { get; set; } = ReciprocalRankFusion.DefaultK;

    /// <summary>Weight of the vector-similarity ranking in the fusion (0 turns the signal off).</summary>
    public double VectorWeight { get; set; } = 1.0;

    /// <summary>Weight of the full-text ranking (BM25 on both stores).</summary>
    public double TextWeight { get; set; } = 1.0;

    /// <summary>Weight of a second full-text ranking over the content alone (0: off). A note whose context
    /// quotes its neighbouring turns matches their words too; this ranking favours the records that say
    /// the query's words themselves, so one strong turn's neighbours crowd out fewer other answers.</summary>
    public double ContentTextWeight { get; set; }

    /// <summary>Weight of the graph-expansion ranking (records reached over edges from the best hits).</summary>
    public double GraphWeight { get; set; } = 0.5;

    /// <summary>How many hits each store search returns before fusion.</summary>
    public int CandidatesPerSignal { get; set; } = 50;

    /// <summary>How many of the best text/vector hits seed the graph expansion.</summary>
    public int GraphSeeds { get; set; } = 10;

    /// <summary>Edge types followed (null or empty: every type).</summary>
    public IReadOnlyList<string>? GraphEdgeTypes { get; set; }

    /// <summary>Re-rank the fused list with maximal marginal relevance over embedding cosine.</summary>
    public bool UseMmr { get; set; }

    /// <summary>MMR trade-off: 1 = pure relevance.</summary>
    public double MmrLambda { get; set; } = 0.7;

    /// <summary>Metadata key holding who said a record (conversation turns, notes made from them).</summary>
    public string SpeakerMetadataKey { get; set; } = "speaker";

    /// <summary>When the query names exactly one of the candidates' speakers, that speaker's records get
    /// their per-signal scores multiplied by 1 + this (0: off).</summary>
    public double SpeakerBoost { get; set; } = 1.0;

    /// <summary>When the query names an absolute time, records valid in it (or up to <see cref="TimeSlack"/>
    /// after it, since events are usually told after they happen) get scores multiplied by 1 + this (0: off).</summary>
    public double TimeBoost { get; set; } = 1.0;

    /// <summary>How long after the named time a record still counts as being about it.</summary>
    public TimeSpan TimeSlack { get; set; } = TimeSpan.FromDays(31);

    /// <summary>Records whose content is questions get their per-signal scores multiplied by
    /// 1 - this x the share of their sentences that are questions (0: off). A question repeats the words
    /// of a query about its topic without holding the answer, and takes a place an answer could have.</summary>
    public double QuestionDemotion { get; set; } = 0.5;

    /// <summary>Records whose content has few index terms get their per-signal scores multiplied by
    /// sqrt(n / (n + this)), n being the content's index terms (0: off; see <see cref="LengthPrior"/>).
    /// An acknowledgement or a one-line reply matches through borrowed or chance words and takes a place an
    /// answer could have.</summary>
    public double LengthPriorTerms { get; set; }

    /// <summary>
    /// The weights for the offline hashing embedder and offline notes.
    /// <list type="bullet">
    /// <item>The embedder's vectors are made from the same words full text indexes, so its ranking is a
    /// noisier copy of the text ranking: it mostly breaks ties (its character n-grams catch inflections
    /// and spellings the stemmer misses).</item>
    /// <item>With one leading signal, a smaller RRF k (20, not 60) keeps its best hits from being
    /// overtaken by records that are middling on every signal.</item>
    /// <item>Offline notes quote their neighbouring turns, so a light content-only ranking keeps a
    /// record's own words ahead of borrowed ones, and the length prior keeps short replies, which match
    /// mostly through what they quote, behind records that say something themselves.</item>
    /// <item>Graph expansion is off: without a model, links come from shared words too, and following
    /// them drifts from the query.</item>
    /// </list>
    /// With a model embedder the defaults of this class apply. Chosen on LoCoMo's dev split, checked
    /// leave-one-conversation-out (docs/benchmarks.md, docs/retrieval.md).
    /// </summary>
    public static HybridRetrieverOptions ForOfflineEmbedder() => new()
    {
        TextWeight = 1.0,
        VectorWeight = 0.1,
        ContentTextWeight = 0.1,
        GraphWeight = 0,
        LengthPriorTerms = 16,
        RrfK = 20,
    };

    /// <summary>
    /// The weights for the offline sentence model (all-MiniLM-L6-v2) and offline notes. The model's
    /// ranking is a signal of its own (it matches paraphrases that share no word with the query) but a
    /// weaker one than full text on conversational memories (LoCoMo over single turns: Hit@10 0.43
    /// against BM25's 0.51), so both are fused with text leading and the vector deciding among records
    /// close on text; the rest is as <see cref="ForOfflineEmbedder"/> (offline notes, words-made links).
    /// Chosen on LoCoMo's dev split by the leave-one-conversation-out check (vector 0.25 in five folds
    /// of six; 0.5 and 1 score lower) (docs/benchmarks.md, docs/retrieval.md).
    /// </summary>
    public static HybridRetrieverOptions ForSentenceEmbedder() => new()
    {
        TextWeight = 1.0,
        VectorWeight = 0.25,
        ContentTextWeight = 0.1,
        GraphWeight = 0,
        LengthPriorTerms = 16,
        RrfK = 20,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        static void NonNegative(double value, string name)
        {
            if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        }
        NonNegative(RrfK, nameof(RrfK));
        NonNegative(VectorWeight, nameof(VectorWeight));
        NonNegative(TextWeight, nameof(TextWeight));
        NonNegative(GraphWeight, nameof(GraphWeight));
        NonNegative(ContentTextWeight, nameof(ContentTextWeight));
        NonNegative(SpeakerBoost, nameof(SpeakerBoost));
        NonNegative(TimeBoost, nameof(TimeBoost));
        NonNegative(LengthPriorTerms, nameof(LengthPriorTerms));
        if (!double.IsFinite(QuestionDemotion) || QuestionDemotion is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(QuestionDemotion), QuestionDemotion, "QuestionDemotion must lie in [0, 1).");
        if (VectorWeight + TextWeight == 0) throw new ArgumentOutOfRangeException(nameof(TextWeight), "At least one of the vector and text signals must have a positive weight.");
        if (CandidatesPerSignal is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(CandidatesPerSignal), CandidatesPerSignal, "CandidatesPerSignal must lie between 1 and 10000.");
        if (GraphSeeds is < 0 or > 1_000) throw new ArgumentOutOfRangeException(nameof(GraphSeeds), GraphSeeds, "GraphSeeds must lie between 0 and 1000.");
        if (!double.IsFinite(MmrLambda) || MmrLambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MmrLambda), MmrLambda, "MmrLambda must lie in [0, 1].");
        if (TimeSlack < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeSlack), TimeSlack, "TimeSlack must not be negative.");
        if (string.IsNullOrWhiteSpace(SpeakerMetadataKey)) throw new ArgumentOutOfRangeException(nameof(SpeakerMetadataKey), "SpeakerMetadataKey must not be empty.");
    }
}
