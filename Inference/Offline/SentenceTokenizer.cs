using Agents.Inference.Text;
using Microsoft.ML.Tokenizers;

namespace Agents.Inference.Offline;

/// <summary>
/// BERT's uncased WordPiece tokenization as sentence-transformers applies it to all-MiniLM-L6-v2:
/// text cleaned, lower-cased, accents stripped (of Latin letters: <see cref="LatinAccents"/>), split on whitespace, punctuation and CJK characters,
/// words split into the vocabulary's pieces (a word over 100 characters is [UNK]), then
/// <c>[CLS] pieces [SEP]</c> cut to <see cref="MaxTokens"/> (the pieces are cut, [SEP] stays).
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> does the work.
/// </summary>
public sealed class SentenceTokenizer
{
    // A word gives at most this many pieces (one per character; longer words are a single [UNK]).
    private const int MaxPiecesPerWord = 100;

    private readonly BertTokenizer _bert;

    /// <param name="vocabulary">vocab.txt of an uncased BERT model.</param>
    /// <param name="maxTokens">Longest output, [CLS] and [SEP] included.</param>
    public SentenceTokenizer(Stream vocabulary, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        MaxTokens = maxTokens;
        _bert = BertTokenizer.Create(vocabulary, new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            RemoveNonSpacingMarks = true,        // strip accents, as BERT's uncased tokenizer does
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
        });
    }

    public int MaxTokens { get; }

    public int ClassificationTokenId => _bert.ClassificationTokenId;

    public int SeparatorTokenId => _bert.SeparatorTokenId;

    /// <summary>The model's input ids for <paramref name="text"/>: <c>[CLS] pieces [SEP]</c>, at most
    /// <see cref="MaxTokens"/> long. A text with nothing to tokenize (empty, blank, only control characters)
    /// gives just <c>[CLS] [SEP]</c>.</summary>
    public int[] Encode(string text)
    {
        var pieces = Pieces(text);
        var ids = new int[pieces.Count + 2];
        ids[0] = _bert.ClassificationTokenId;
        for (var i = 0; i < pieces.Count; i++) ids[i + 1] = pieces[i];
        ids[^1] = _bert.SeparatorTokenId;
        return ids;
    }

    /// <summary>The word pieces of <paramref name="text"/> without [CLS]/[SEP], cut to <see cref="MaxTokens"/> - 2.</summary>
    public IReadOnlyList<int> Pieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = MaxTokens - 2;
        // The library stops at a word boundary; asking for a word's worth more and cutting here cuts
        // inside a word, as Hugging Face's truncation does.
        var ids = _bert.EncodeToIds(Clean(text), budget + MaxPiecesPerWord, addSpecialTokens: false, out _, out _);
        return ids.Count <= budget ? ids : ids.Take(budget).ToArray();
    }

    // BERT treats tab, line feed and carriage return as spaces; Microsoft.ML.Tokenizers 3.0 removes them as
    // control characters, which would glue the words on either side together. Its accent stripping needs
    // Unicode decomposition, which invariant globalization (this solution's setting) does not do.
    private static string Clean(string text)
    {
        if (text.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0) text = text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        return LatinAccents.Strip(text);
    }
}
