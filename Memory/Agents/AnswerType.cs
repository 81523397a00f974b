using System.Text.RegularExpressions;
using Agents.Inference.Text;
using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Agents;

/// <summary>
/// What kind of answer a question wants, read off its question word ("when": a time, "where": a place,
/// "who": a person, "how much" / "how many": a quantity), and whether a memory holds such a thing. A
/// memory that names a date answers "when" better than one that only shares the question's words.
/// "How many" asks for a count of things ("six engineers"), "how much" for an amount ("40,000 euros").
/// </summary>
public static partial class AnswerType
{
    public const string Time = "time";
    public const string Place = "place";
    public const string Person = "person";
    public const string Quantity = "quantity";
    public const string Count = "count";

    public static string? Of(string question)
    {
        var q = question.Trim().ToLowerInvariant();
        if (TimeQuestion().IsMatch(q)) return Time;
        if (CountQuestion().IsMatch(q)) return Count;
        if (QuantityQuestion().IsMatch(q)) return Quantity;
        if (q.StartsWith("where", StringComparison.Ordinal) || q.Contains(" where ", StringComparison.Ordinal)) return Place;
        if (PersonQuestion().IsMatch(q)) return Person;
        return null;
    }

    public static bool Holds(string memory, string type, string? question = null) => Strength(memory, type, question) > 0;

    /// <summary>How well a memory holds the kind of answer: 1 for a specific one (a day and month, a clock
    /// time, an amount with its unit, a count of things for "how many"), one half for a vague one (a month
    /// or year alone, a count of things for "how much", an amount for "how many"), 0 for none. A name the
    /// <paramref name="question"/> itself mentions is not an answer to "who".</summary>
    public static double Strength(string memory, string type, string? question = null) => type switch
    {
        Time => SpecificTime().IsMatch(memory) ? 1 : TimeExpression().IsMatch(memory) ? 0.5 : 0,
        Quantity => Amount().IsMatch(memory) ? 1 : QuantityExpression().IsMatch(memory) ? 0.5 : 0,
        Count => CountExpression().IsMatch(memory) ? 1 : QuantityExpression().IsMatch(memory) ? 0.5 : 0,
        _ => HoldsPlaceOrPerson(memory, type, question) ? 1 : 0,
    };

    private static bool HoldsPlaceOrPerson(string memory, string type, string? question) => type switch
    {
        Place => PlaceExpression().IsMatch(memory),
        // Offline there is no telling people from places: any capitalised word that is not a common word,
        // nor one the question names (asked who works on Aurora, "Aurora" is not the answer).
        Person => Tokenizer.Tokenize(memory).Any(t => t.IsCapitalised && !EnglishStopWords.Contains(t.Lower) && !CommonWords.IsGeneral(t.Lower)
            && !Named(question, t.Lower)),
        _ => false,
    };

    private static bool Named(string? question, string word) =>
        question is not null && Tokenizer.Tokenize(question).Any(q => q.Lower == word || q.Lower == word + "'s" || word == q.Lower + "'s");

    [GeneratedRegex(@"^(when|what time|what date|which (day|date|month|year)|how long|until when|since when)\b|\b(when|what date|which day) (is|are|was|were|does|do|did|will)\b")]
    private static partial Regex TimeQuestion();

    [GeneratedRegex(@"\bhow many\b")]
    private static partial Regex CountQuestion();

    [GeneratedRegex(@"\b(how (much|many)|what('s| is) the (budget|cost|price|amount|total|number)|budget|cost|price)\b")]
    private static partial Regex QuantityQuestion();

    [GeneratedRegex(@"^(who|whom|whose)\b|\b(who|whom|whose) (is|are|was|were|will|did|does|do)\b")]
    private static partial Regex PersonQuestion();

    [GeneratedRegex(@"\b(\d{1,2}(st|nd|rd|th)? (of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(st|nd|rd|th)?|(19|20)\d{2}|\d{1,2}:\d{2}|(mon|tues|wednes|thurs|fri|satur|sun)day|today|tomorrow|yesterday|next (week|month|year)|last (week|month|year)|(end|start|beginning|middle) of \w+|(january|february|march|april|june|july|august|september|october|november|december))\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeExpression();

    [GeneratedRegex(@"\b(\d{1,2}(st|nd|rd|th)? (of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(st|nd|rd|th)?\b|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|(mon|tues|wednes|thurs|fri|satur|sun)day|today|tomorrow|yesterday)", RegexOptions.IgnoreCase)]
    private static partial Regex SpecificTime();

    [GeneratedRegex(@"(\d[\d,.]*\s*(%|percent|euros?|dollars?|pounds?|eur\b|usd\b|gbp\b|k\b|million|billion|thousand)|[€$£]\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex Amount();

    // An amount with a unit or currency, a figure with thousands separators, or a count of things ("3 lamps").
    [GeneratedRegex(@"(\d[\d,.]*\s*(%|percent|euros?|dollars?|pounds?|eur\b|usd\b|gbp\b|k\b|million|billion|thousand|hours?|days?|weeks?|people|users|units)|[€$£]\s*\d|\b\d{1,3}(,\d{3})+\b|\b\d+\s+[a-z]+s\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred)\s+([a-z]+\s+)?[a-z]+s\b)", RegexOptions.IgnoreCase)]
    private static partial Regex QuantityExpression();

    // A number of things: a figure or a number word before a (possibly qualified) plural noun, not a currency.
    [GeneratedRegex(@"(\b\d+\s+([a-z]+\s+)?[a-z]+s\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|dozen)\s+([a-z]+\s+)?[a-z]+s\b|\b\d+\s+(people|staff|men|women|children))(?<!\b(euros|dollars|pounds|percent))", RegexOptions.IgnoreCase)]
    private static partial Regex CountExpression();

    // A capitalised name after a place preposition, not a month or a weekday ("in Lisbon", not "in January").
    [GeneratedRegex(@"\b(in|at|to|from|near|inside|outside)\s+(the\s+)?(?!(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\p{L}-]+")]
    private static partial Regex PlaceExpression();
}
