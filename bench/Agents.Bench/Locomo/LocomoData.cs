using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Agents.Bench.Locomo;

/// <summary>One turn of a LoCoMo conversation, in conversation order.</summary>
public sealed record LocomoTurn(string DiaId, int Session, string Speaker, string Text, string? Caption, DateTimeOffset SessionDate)
{
    /// <summary>The turn's document per the README: its text, plus a space and the image caption when present.</summary>
    public string Document => Caption is null ? Text : Text + " " + Caption;
}

/// <summary>A question of categories 1 to 4 with its cleaned-up evidence turns.</summary>
public sealed record LocomoQuestion(string Question, int Category, IReadOnlyList<string> Evidence);

public sealed record LocomoConversation(string SampleId, string SpeakerA, string SpeakerB, IReadOnlyList<LocomoTurn> Turns, IReadOnlyList<LocomoQuestion> Questions);

/// <summary>Reads <c>locomo-dev.json</c> (the original LoCoMo format) and applies the README's evidence clean-up.</summary>
public static partial class LocomoData
{
    [GeneratedRegex(@"^session_(\d+)$")] private static partial Regex SessionKey();
    [GeneratedRegex(@"^D:?(\d+):(\d+)$")] private static partial Regex EvidenceId();
    [GeneratedRegex(@"[;\s]+")] private static partial Regex EvidenceSeparator();

    public static List<LocomoConversation> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LoCoMo data file '{path}' does not exist.", path);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var conversations = new List<LocomoConversation>();
        foreach (var sample in document.RootElement.EnumerateArray())
        {
            var id = sample.GetProperty("sample_id").GetString() ?? throw new InvalidDataException("A sample has no sample_id.");
            var conversation = sample.GetProperty("conversation");
            var sessions = new List<int>();
            foreach (var property in conversation.EnumerateObject())
            {
                var m = SessionKey().Match(property.Name);
                if (m.Success && property.Value.ValueKind == JsonValueKind.Array) sessions.Add(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            sessions.Sort();
            var turns = new List<LocomoTurn>();
            foreach (var session in sessions)
            {
                var dateText = conversation.GetProperty($"session_{session}_date_time").GetString()
                    ?? throw new InvalidDataException($"{id}: session {session} has no date.");
                var date = ParseSessionDate(dateText);
                foreach (var turn in conversation.GetProperty($"session_{session}").EnumerateArray())
                {
                    var caption = turn.TryGetProperty("blip_caption", out var c) && c.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(c.GetString()) ? c.GetString() : null;
                    turns.Add(new LocomoTurn(turn.GetProperty("dia_id").GetString()!, session, turn.GetProperty("speaker").GetString()!,
                        turn.GetProperty("text").GetString() ?? "", caption, date));
                }
            }
            var known = turns.Select(t => t.DiaId).ToHashSet(StringComparer.Ordinal);
            var questions = new List<LocomoQuestion>();
            foreach (var qa in sample.GetProperty("qa").EnumerateArray())
            {
                var category = qa.GetProperty("category").GetInt32();
                if (category is < 1 or > 4) continue;
                var evidence = CleanEvidence(qa.GetProperty("evidence").EnumerateArray().Select(e => e.GetString() ?? ""), known);
                if (evidence.Count == 0) continue;
                questions.Add(new LocomoQuestion(qa.GetProperty("question").GetString()!, category, evidence));
            }
            conversations.Add(new LocomoConversation(id, conversation.GetProperty("speaker_a").GetString()!, conversation.GetProperty("speaker_b").GetString()!, turns, questions));
        }
        return conversations;
    }

    /// <summary>Splits "D8:6; D9:17" and space-separated ids, reads "D:11:26" as D11:26 and "D30:05" as
    /// D30:5, drops ids that match no turn and repeats.</summary>
    public static List<string> CleanEvidence(IEnumerable<string> raw, IReadOnlySet<string> known)
    {
        var result = new List<string>();
        foreach (var entry in raw)
        {
            foreach (var part in EvidenceSeparator().Split(entry))
            {
                var m = EvidenceId().Match(part.Trim());
                if (!m.Success) continue;
                var id = $"D{int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)}:{int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)}";
                if (known.Contains(id) && !result.Contains(id)) result.Add(id);
            }
        }
        return result;
    }

    /// <summary>"1:56 pm on 8 May, 2023" (UTC: the data carries no zone).</summary>
    public static DateTimeOffset ParseSessionDate(string text)
    {
        if (DateTime.TryParseExact(text.Trim(), ["h:mm tt 'on' d MMMM, yyyy", "h:mm tt 'on' d MMMM yyyy"], CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return new DateTimeOffset(parsed, TimeSpan.Zero);
        throw new InvalidDataException($"Unreadable session date '{text}'.");
    }
}
