using System.Globalization;
using System.Text.RegularExpressions;

namespace Agents.Memory.Retrieval;

/// <summary>A half-open span of world time [<see cref="Start"/>, <see cref="End"/>).</summary>
public readonly record struct TimeRange(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;
}

/// <summary>
/// Finds the absolute time a query is about ("on 1 May, 2022", "May 1, 2022", "in January 2022",
/// "in 2022") so retrieval can favour memories valid then. English month names; the most specific
/// expression wins; a month without a year, or relative words ("last week"), give nothing because
/// they need a reference time the query does not carry.
/// </summary>
public static partial class TemporalQueryParser
{
    private static readonly string[] Months =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    [GeneratedRegex(@"\b(\d{1,2})(?:st|nd|rd|th)?\s*(january|february|march|april|may|june|july|august|september|october|november|december),?\s*(\d{4})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\b(january|february|march|april|may|june|july|august|september|october|november|december),?\s*(\d{4})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MonthYear();

    [GeneratedRegex(@"\b(1[89]\d\d|2[01]\d\d)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Year();

    /// <summary>The time the query names, or null.</summary>
    public static TimeRange? Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var m = DayMonthYear().Match(query);
        if (m.Success && Day(Int(m.Groups[3]), Month(m.Groups[2]), Int(m.Groups[1])) is { } a) return a;
        m = MonthDayYear().Match(query);
        if (m.Success && Day(Int(m.Groups[3]), Month(m.Groups[1]), Int(m.Groups[2])) is { } b) return b;
        m = MonthYear().Match(query);
        if (m.Success)
        {
            var start = new DateTimeOffset(Int(m.Groups[2]), Month(m.Groups[1]), 1, 0, 0, 0, TimeSpan.Zero);
            return new TimeRange(start, start.AddMonths(1));
        }
        m = Year().Match(query);
        if (m.Success)
        {
            var start = new DateTimeOffset(Int(m.Groups[1]), 1, 1, 0, 0, 0, TimeSpan.Zero);
            return new TimeRange(start, start.AddYears(1));
        }
        return null;
    }

    private static TimeRange? Day(int year, int month, int day)
    {
        if (day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var start = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
        return new TimeRange(start, start.AddDays(1));
    }

    private static int Int(Group g) => int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture);
    private static int Month(Group g) => Array.IndexOf(Months, g.Value.ToLowerInvariant()) + 1;
}
