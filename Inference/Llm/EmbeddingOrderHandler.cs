using System.Buffers;
using System.Text.Json;

namespace Agents.Inference.Llm;

/// <summary>
/// Puts the vectors of an embeddings answer in input order. The API numbers each vector with the
/// <c>index</c> of its input, but the connector reads them in arrival order, so a server that answers out
/// of order would pair texts with the wrong vectors without a word. An index outside the answer or given
/// twice is an <see cref="LlmEmbeddingException"/>. Answers already in order pass unchanged.
/// </summary>
internal sealed class EmbeddingOrderHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || request.RequestUri?.AbsolutePath.EndsWith("/embeddings", StringComparison.Ordinal) != true)
            return response;

        var original = response.Content;
        var body = await original.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (InIndexOrder(body) is not { } ordered) return response; // read into the content's own buffer: still readable
        var content = new ByteArrayContent(ordered);
        foreach (var header in original.Headers)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        original.Dispose();
        response.Content = content;
        return response;
    }

    /// <summary>The answer with its <c>data</c> in index order, or null when it already is (or has no indices to go by).</summary>
    public static byte[]? InIndexOrder(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null; // not ours to judge: the connector reports an unreadable answer
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                return null;

            var count = data.GetArrayLength();
            var ordered = new JsonElement?[count];
            var position = 0;
            var inOrder = true;
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("index", out var number) || !number.TryGetInt32(out var index))
                    return null;
                if (index < 0 || index >= count || ordered[index] is not null)
                    throw new LlmEmbeddingException(
                        $"Embedding model '{Model(root)}' returned a vector with index {index}, outside or repeating 0..{count - 1}.");
                ordered[index] = item;
                inOrder &= index == position++;
            }
            if (inOrder) return null;

            var buffer = new ArrayBufferWriter<byte>(body.Length);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var property in root.EnumerateObject())
                {
                    if (property.NameEquals("data"))
                    {
                        writer.WriteStartArray(property.Name);
                        foreach (var item in ordered) item!.Value.WriteTo(writer);
                        writer.WriteEndArray();
                    }
                    else
                    {
                        property.WriteTo(writer);
                    }
                }
                writer.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }
    }

    private static string Model(JsonElement root) =>
        root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString()! : "(unnamed)";
}
