using System.Globalization;
using System.Text;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Turns a speaker's first-person sentence into a third-person statement about the speaker ("I moved
/// to Paris" said by Ann -> "Ann moved to Paris"), so a fact stays true out of its conversation, and
/// pins relative dates to the observation date ("yesterday" -> "yesterday (7 May 2023)").
/// </summary>
public static class PerspectiveRewriter
{
    private static readonly Dictionary<string, string> Contractions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["i'm"] = "{0} is", ["i've"] = "{0} has", ["i'd"] = "{0} would", ["i'll"] = "{0} will",
        ["i am"] = "{0} is", ["i was"] = "{0} was", ["i have"] = "{0} has",
    };

    public static string ToThirdPerson(string sentence, string? speaker)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        if (string.IsNullOrWhiteSpace(speaker)) return sentence;
        var tokens = Tokenizer.Tokenize(sentence);
        var sb = new StringBuilder(sentence.Length + 16);
        var last = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            string? replacement = null;
            var consumedUntil = t.Start + t.Surface.Length;
            if (t.Lower == "i" && i + 1 < tokens.Count && tokens[i + 1].Lower is "am" or "was" or "have"
                && Contractions.TryGetValue("i " + tokens[i + 1].Lower, out var two) && OnlySpaceBetween(sentence, t, tokens[i + 1]))
            {
                replacement = string.Format(CultureInfo.InvariantCulture, two, speaker);
                consumedUntil = tokens[i + 1].Start + tokens[i + 1].Surface.Length;
                i++;
            }
            else if (Contractions.TryGetValue(t.Lower, out var one)) replacement = string.Format(CultureInfo.InvariantCulture, one, speaker);
            else if (t.Lower == "i" || t.Lower == "me" || t.Lower == "myself") replacement = speaker;
            else if (t.Lower == "my" || t.Lower == "mine") replacement = speaker + "'s";
            if (replacement is null) continue;
            sb.Append(sentence, last, t.Start - last).Append(replacement);
            last = consumedUntil;
        }
        sb.Append(sentence, last, sentence.Length - last);
        return sb.ToString();
    }

    /// <summary>Appends the absolute date after relative time words, resolved against <paramref name="observedAt"/>.</summary>
    public static string PinRelativeDates(string sentence, DateTimeOffset observedAt)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var lower = sentence.ToLowerInvariant();
        var day = observedAt.Date;
        string? pin = null;
        if (Has(lower, "yesterday")) pin = Format(day.AddDays(-1));
        else if (Has(lower, "tomorrow")) pin = Format(day.AddDays(1));
        else if (Has(lower, "today") || Has(lower, "tonight") || Has(lower, "this morning")) pin = Format(day);
        else if (Has(lower, "last week")) pin = "the week before " + Format(day);
        else if (Has(lower, "next week")) pin = "the week after " + Format(day);
        else if (Has(lower, "last weekend")) pin = "the weekend before " + Format(day);
        else if (Has(lower, "last month")) pin = day.AddMonths(-1).ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        else if (Has(lower, "next month")) pin = day.AddMonths(1).ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        else if (Has(lower, "last year")) pin = (day.Year - 1).ToString(CultureInfo.InvariantCulture);
        else if (Has(lower, "next year")) pin = (day.Year + 1).ToString(CultureInfo.InvariantCulture);
        else if (Has(lower, "this year")) pin = day.Year.ToString(CultureInfo.InvariantCulture);
        if (pin is null) return sentence;
        var trimmed = sentence.TrimEnd();
        var end = trimmed.Length > 0 && trimmed[^1] is '.' or '!' ? trimmed[^1].ToString() : "";
        return $"{trimmed[..(trimmed.Length - end.Length)]} ({pin}){end}";
    }

    public static string Format(DateTime date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static bool Has(string lower, string phrase)
    {
        var at = 0;
        while ((at = lower.IndexOf(phrase, at, StringComparison.Ordinal)) >= 0)
        {
            var before = at == 0 || !char.IsLetter(lower[at - 1]);
            var afterIndex = at + phrase.Length;
            var after = afterIndex >= lower.Length || !char.IsLetter(lower[afterIndex]);
            if (before && after) return true;
            at = afterIndex;
        }
        return false;
    }

    private static bool OnlySpaceBetween(string s, Token a, Token b) =>
        s.AsSpan(a.Start + a.Surface.Length, b.Start - a.Start - a.Surface.Length).Trim().Length == 0;
}
