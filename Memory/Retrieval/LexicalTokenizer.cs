namespace Agents.Memory.Retrieval;

/// <summary>
/// The tokeniser of the reference lexical scorer: lower-cases the text (invariant culture), takes the
/// maximal runs of ASCII letters and digits (the regular expression <c>[a-z0-9]+</c>), and drops the
/// words of a stop-word set. Deterministic, so a BM25 figure computed with it can be reproduced exactly.
/// </summary>
public sealed class LexicalTokenizer
{
    private readonly IReadOnlySet<string> _stopWords;

    public LexicalTokenizer(IReadOnlySet<string> stopWords)
    {
        ArgumentNullException.ThrowIfNull(stopWords);
        _stopWords = stopWords;
    }

    /// <summary>A tokeniser that keeps every word.</summary>
    public static LexicalTokenizer NoStopWords { get; } = new(new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Reads a stop-word file: one word per line, blank lines ignored, compared lower-cased.</summary>
    public static LexicalTokenizer FromStopWordFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Stop-word file '{path}' does not exist.", path);
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var word = line.Trim().ToLowerInvariant();
            if (word.Length > 0) words.Add(word);
        }
        return new LexicalTokenizer(words);
    }

    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var lower = text.ToLowerInvariant();
        var i = 0;
        while (i < lower.Length)
        {
            if (!IsWordChar(lower[i])) { i++; continue; }
            var start = i;
            while (i < lower.Length && IsWordChar(lower[i])) i++;
            var token = lower[start..i];
            if (!_stopWords.Contains(token)) tokens.Add(token);
        }
        return tokens;
    }

    private static bool IsWordChar(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
