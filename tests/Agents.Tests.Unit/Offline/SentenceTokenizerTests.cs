using Agents.Inference.Offline;

namespace Agents.Tests.Unit.Offline;

/// <summary>The WordPiece tokenization against ids that sentence-transformers' (Hugging Face's) uncased BERT
/// tokenizer gives for the same sentences with all-MiniLM-L6-v2's vocabulary.</summary>
public sealed class SentenceTokenizerTests
{
    private static SentenceTokenizer Tokenizer(int maxTokens = 256) =>
        new(new MemoryStream(SentenceModelFilesFixture.Files.Vocabulary), maxTokens);

    [Theory]
    [InlineData("Hello, world!", new[] { 101, 7592, 1010, 2088, 999, 102 })]
    [InlineData("I've been waiting for a HuggingFace course my whole life.", new[] { 101, 1045, 1005, 2310, 2042, 3403, 2005, 1037, 17662, 12172, 2607, 2026, 2878, 2166, 1012, 102 })]
    [InlineData("I hate this so much!", new[] { 101, 1045, 5223, 2023, 2061, 2172, 999, 102 })]
    public void Gives_the_reference_ids(string text, int[] expected) =>
        Assert.Equal(expected, Tokenizer().Encode(text));

    [Fact]
    public void Lower_cases_strips_accents_and_splits_on_every_kind_of_space()
    {
        var tokenizer = Tokenizer();
        Assert.Equal(tokenizer.Encode("cafe naive resume"), tokenizer.Encode("Café NAÏVE résumé"));
        // Tab and line breaks separate words as spaces do (BERT's cleaning), never glue them.
        Assert.Equal(tokenizer.Encode("tab new line here"), tokenizer.Encode("tab\tnew\nline\r\nhere"));
        Assert.Equal(tokenizer.Encode("a b"), tokenizer.Encode("a\u00A0b"));
    }

    [Fact]
    public void Splits_unknown_words_into_pieces_and_cjk_into_characters()
    {
        var tokenizer = Tokenizer();
        // "unaffable" -> una ##ffa ##ble; each CJK character is a word of its own.
        Assert.Equal([101, 14477, 20961, 3468, 102], tokenizer.Encode("unaffable"));
        Assert.Equal(4, tokenizer.Encode("東京").Length);
    }

    [Fact]
    public void Long_texts_are_cut_to_the_limit_keeping_cls_and_sep()
    {
        var tokenizer = Tokenizer(maxTokens: 16);
        var text = string.Join(' ', Enumerable.Range(0, 100).Select(i => $"word{i}"));
        var ids = tokenizer.Encode(text);
        Assert.Equal(16, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        // The first 14 pieces of the whole text: cut inside a word if need be, as Hugging Face does.
        var all = Tokenizer().Pieces(text);
        Assert.Equal(all.Take(14), ids.Skip(1).Take(14));
    }

    [Fact]
    public void Empty_or_blank_text_gives_only_cls_and_sep_and_null_is_refused()
    {
        var tokenizer = Tokenizer();
        Assert.Equal([101, 102], tokenizer.Encode(""));
        Assert.Equal([101, 102], tokenizer.Encode(" \t\n "));
        Assert.Throws<ArgumentNullException>(() => tokenizer.Encode(null!));
    }
}
