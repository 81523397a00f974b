using System.Text.RegularExpressions;
using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Agents;

/// <summary>
/// Splits a task into the questions it asks, so each can be answered from memory on its own: at
/// sentence ends, and at "and" / "also" / ";" where a new question starts (a question word or an
/// auxiliary follows). A part that points back ("what is its budget") and names nothing of its own
/// borrows the names of the part before it, so that it can still be looked up.
/// </summary>
public static partial class QuestionParts
{
    public const int MaxParts = 8;

    public static IReadOnlyList<string> Split(string task)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        var parts = new List<string>();
        foreach (var sentence in SentenceSplitter.Split(task))
        {
            foreach (var piece in Joint().Split(sentence))
            {
                var part = piece.Trim().TrimEnd('?', '.', '!', ',', ';', ':').Trim();
                if (part.Length > 0 && Tokenizer.Tokenize(part).Any(t => Tokenizer.IsContentWord(t.Lower))) parts.Add(part);
            }
        }
        if (parts.Count == 0) return [task.Trim()];
        for (var i = 1; i < parts.Count; i++)
        {
            if (NameExtractor.Extract(parts[i]).Count > 0 || !Tokenizer.Tokenize(parts[i]).Any(t => Anaphors.Contains(t.Lower))) continue;
            var names = NameExtractor.Extract(parts[i - 1]);
            if (names.Count > 0) parts[i] = $"{parts[i]} ({string.Join(", ", names)})";
        }
        if (parts.Count > MaxParts) parts = [.. parts.Take(MaxParts - 1), string.Join("; ", parts.Skip(MaxParts - 1))];
        return parts;
    }

    // Words that point back at something named before ("what is its budget").
    private static readonly HashSet<string> Anaphors = new(StringComparer.Ordinal)
    { "it", "its", "they", "them", "their", "he", "him", "his", "she", "her", "this", "that", "these", "those", "there", "the same" };

    // "and"/"also"/";" followed by a word that opens a question.
    [GeneratedRegex(@"(?:,?\s+(?:and|also|as well as)\s+|;\s*)(?=(?:what|when|where|who|whom|whose|which|why|how|is|are|was|were|does|do|did|can|could|will|would|should|has|have|had)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Joint();
}
