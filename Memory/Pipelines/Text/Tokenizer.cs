namespace Agents.Memory.Pipelines.Text;

/// <summary>A word as it appeared in the text: its surface form, position and lower-cased form.</summary>
public readonly record struct Token(string Surface, string Lower, int Start, bool IsCapitalised, bool StartsSentence);

/// <summary>
/// Splits text into words (letters, digits, inner apostrophes and hyphens). Deterministic and
/// culture-invariant, so offline enrichment gives the same answer on every machine.
/// </summary>
public static class Tokenizer
{
    public static List<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>();
        var sentenceStart = true;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                var start = i;
                i++;
                while (i < text.Length)
                {
                    var d = text[i];
                    if (char.IsLetterOrDigit(d)) { i++; continue; }
                    // Keep "don't", "co-founder": an apostrophe or hyphen between two letters is inside the word.
                    if ((d is '\'' or '\u2019' or '-') && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && char.IsLetterOrDigit(text[i - 1])) { i++; continue; }
                    break;
                }
                var surface = text[start..i].Replace('\u2019', '\'');
                tokens.Add(new Token(surface, surface.ToLowerInvariant(), start, char.IsUpper(surface[0]), sentenceStart));
                sentenceStart = false;
            }
            else
            {
                if (c is '.' or '!' or '?' or '\n' or ':' or ';' or '"' or '\u201C') sentenceStart = true;
                i++;
            }
        }
        return tokens;
    }

    /// <summary>Lower-cased content words (no <see cref="NonTopicWords"/>, no one-letter words), in order.</summary>
    public static List<string> ContentWords(string text)
    {
        var words = new List<string>();
        foreach (var t in Tokenize(text))
            if (IsContentWord(t.Lower)) words.Add(t.Lower);
        return words;
    }

    public static bool IsContentWord(string lower) => lower.Length > 1 && !NonTopicWords.Contains(lower) && !IsAllDigits(lower) || IsYear(lower);

    private static bool IsAllDigits(string s)
    {
        foreach (var c in s) if (!char.IsDigit(c)) return false;
        return true;
    }

    private static bool IsYear(string s) => s.Length == 4 && IsAllDigits(s) && (s[0] == '1' || s[0] == '2');
}
