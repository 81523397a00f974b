using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>
/// Writes the data part of a prompt as JSON with a <see cref="Utf8JsonWriter"/>, so user text can
/// never break out of its field (quotes, newlines, "ignore the above" tricks stay inside a string).
/// </summary>
internal static class PromptJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options)) write(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteStrings(this Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
