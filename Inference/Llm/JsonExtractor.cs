using System.Text.Json;

namespace Agents.Inference.Llm;

/// <summary>
/// Finds the JSON in a model's answer. Local models wrap it in code fences, put prose before or after
/// it, think aloud in <c>&lt;think&gt;</c> blocks, leave trailing commas or comments, or return it as a
/// JSON string. <see cref="Candidates"/> yields every syntactically valid JSON value found, most
/// likely first: the whole answer, each fenced block, then each balanced object or array in order.
/// Whether a candidate has the right shape is the caller's question (see <see cref="StructuredChat"/>).
/// </summary>
public static class JsonExtractor
{
    /// <summary>More candidates than this means the answer is not a JSON answer worth searching.</summary>
    public const int MaxCandidates = 16;

    private static readonly JsonDocumentOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 128,
    };

    /// <summary>The first candidate, if any.</summary>
    public static bool TryExtract(string? text, out JsonElement json)
    {
        foreach (var candidate in Candidates(text))
        {
            json = candidate;
            return true;
        }
        json = default;
        return false;
    }

    /// <summary>Every valid JSON value in <paramref name="text"/>, most likely first, without duplicates.</summary>
    public static IEnumerable<JsonElement> Candidates(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) yield break;
        var body = StripThinking(text).Trim();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var slice in Slices(body))
        {
            if (!TryParse(slice, out var element)) continue;
            // A JSON string whose content is itself JSON: some models double-encode.
            if (element.ValueKind == JsonValueKind.String && TryParse(element.GetString()!.Trim(), out var inner) && inner.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                element = inner;
            if (!seen.Add(element.GetRawText())) continue;
            yield return element;
            if (++count == MaxCandidates) yield break;
        }
    }

    private static IEnumerable<string> Slices(string body)
    {
        yield return body;
        foreach (var fenced in FencedBlocks(body)) yield return fenced;
        foreach (var balanced in BalancedValues(body)) yield return balanced;
    }

    /// <summary>Contents of ``` fences, with or without a language tag.</summary>
    internal static IEnumerable<string> FencedBlocks(string text)
    {
        var position = 0;
        while (true)
        {
            var open = text.IndexOf("```", position, StringComparison.Ordinal);
            if (open < 0) yield break;
            var contentStart = text.IndexOf('\n', open + 3);
            if (contentStart < 0) yield break;
            // The rest of the fence line must be a language tag (json, JSON, jsonc...), not content.
            var tag = text.AsSpan(open + 3, contentStart - open - 3).Trim();
            if (tag.ContainsAny('{', '[')) contentStart = open + 2;
            var close = text.IndexOf("```", contentStart + 1, StringComparison.Ordinal);
            // An unclosed fence (answer cut off) still holds the JSON up to the end.
            var end = close < 0 ? text.Length : close;
            yield return text[(contentStart + 1)..end].Trim();
            if (close < 0) yield break;
            position = close + 3;
        }
    }

    /// <summary>Each top-level balanced <c>{...}</c> or <c>[...]</c>, scanning left to right, aware of strings.</summary>
    internal static IEnumerable<string> BalancedValues(string text)
    {
        var position = 0;
        while (position < text.Length)
        {
            var start = text.IndexOfAny(['{', '['], position);
            if (start < 0) yield break;
            var end = MatchingEnd(text, start);
            if (end < 0)
            {
                position = start + 1;
                continue;
            }
            yield return text[start..(end + 1)];
            position = end + 1;
        }
    }

    // Index of the bracket closing the one at start, or -1 if brackets do not balance.
    private static int MatchingEnd(string text, int start)
    {
        Span<char> stack = stackalloc char[128];
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{': case '[':
                    if (depth == stack.Length) return -1;
                    stack[depth++] = c == '{' ? '}' : ']';
                    break;
                case '}': case ']':
                    if (depth == 0 || stack[--depth] != c) return -1;
                    if (depth == 0) return i;
                    break;
            }
        }
        return -1;
    }

    private static string StripThinking(string text)
    {
        const string Open = "<think>", Close = "</think>";
        var close = text.LastIndexOf(Close, StringComparison.OrdinalIgnoreCase);
        if (close < 0) return text;
        var open = text.IndexOf(Open, StringComparison.OrdinalIgnoreCase);
        // Some servers strip the opening tag but leave the closing one: drop everything before it.
        return open >= 0 && open < close ? text[..open] + text[(close + Close.Length)..] : text[(close + Close.Length)..];
    }

    private static bool TryParse(string text, out JsonElement element)
    {
        element = default;
        if (text.Length == 0) return false;
        try
        {
            using var document = JsonDocument.Parse(text, Lenient);
            // Rewrite strictly: the element's raw text would still hold the comments and trailing
            // commas, which a deserialiser with default options rejects.
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(text.Length);
            using (var writer = new Utf8JsonWriter(buffer)) document.RootElement.WriteTo(writer);
            using var strict = JsonDocument.Parse(buffer.WrittenMemory);
            element = strict.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
