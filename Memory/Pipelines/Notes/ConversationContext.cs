using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>
/// The offline form of a note's context: who said it and when, then the neighbouring turns of the same
/// conversation quoted ("Speaker: text"). The enricher writes the turns before; evolution appends the
/// turns that follow once they arrive. A reply such as "Yes, last week!" is found by the question it
/// answers, and a question by its answer. Each quote is bounded so a context stays short.
/// </summary>
public static class ConversationContext
{
    /// <summary>Longest quote of one neighbouring turn, in characters.</summary>
    public const int MaxQuoteLength = 400;

    public static string Header(string? speaker, DateTimeOffset observedAt) =>
        $"{(string.IsNullOrWhiteSpace(speaker) ? "Someone" : speaker)}, {PerspectiveRewriter.Format(observedAt.Date)}.";

    /// <summary>One turn as it is quoted in a neighbour's context.</summary>
    public static string Quote(string? speaker, string content)
    {
        var text = content.Trim();
        if (text.Length > MaxQuoteLength)
        {
            // Cut at a word boundary when one is near, so no half word reaches the index.
            var cut = text.LastIndexOf(' ', MaxQuoteLength);
            text = text[..(cut > MaxQuoteLength / 2 ? cut : MaxQuoteLength)];
        }
        return string.IsNullOrWhiteSpace(speaker) ? text : $"{speaker}: {text}";
    }

    /// <summary><paramref name="context"/> with <paramref name="quote"/> appended, or unchanged when it already holds it (a rerun).</summary>
    public static string Append(string context, string quote) =>
        context.Contains(quote, StringComparison.Ordinal) ? context
        : string.IsNullOrEmpty(context) ? quote
        : context + " " + quote;
}
