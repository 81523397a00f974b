namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Splits text into sentences at '.', '!', '?' and line breaks, keeping abbreviations such as "Dr."
/// and decimals such as "3.5" inside their sentence.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    { "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "mt" };

    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = c is '\n' || c is '!' or '?' || (c == '.' && IsSentenceDot(text, i));
            if (!end) continue;
            // Swallow a run of closing punctuation ("?!", "...", quotes).
            while (i + 1 < text.Length && text[i + 1] is '.' or '!' or '?' or '"' or '\'' or ')' or '\u201D') i++;
            Add(sentences, text, start, i + 1);
            start = i + 1;
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsSentenceDot(string text, int i)
    {
        if (i + 1 < text.Length && char.IsDigit(text[i + 1]) && i > 0 && char.IsDigit(text[i - 1])) return false;
        var wordStart = i;
        while (wordStart > 0 && char.IsLetter(text[wordStart - 1])) wordStart--;
        var word = text[wordStart..i];
        if (Abbreviations.Contains(word)) return false;
        // A single capital letter followed by a dot is an initial ("J. Smith").
        return !(word.Length == 1 && char.IsUpper(word[0]));
    }

    private static void Add(List<string> sentences, string text, int from, int to)
    {
        var s = text[from..to].Trim();
        if (s.Length > 0) sentences.Add(s);
    }
}
