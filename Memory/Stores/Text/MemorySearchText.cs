using Agents.Memory.Model;

namespace Agents.Memory.Stores.Text;

/// <summary>The text a record is found by in full-text search: content, context, keywords and tags.
/// Both stores index exactly this string.</summary>
public static class MemorySearchText
{
    public static string Compose(MemoryRecord record)
    {
        var parts = new List<string>(4) { record.Content };
        if (!string.IsNullOrWhiteSpace(record.Context)) parts.Add(record.Context);
        if (record.Keywords.Count > 0) parts.Add(string.Join(' ', record.Keywords));
        if (record.Tags.Count > 0) parts.Add(string.Join(' ', record.Tags));
        return string.Join('\n', parts);
    }
}
