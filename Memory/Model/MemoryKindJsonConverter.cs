using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agents.Memory.Model;

/// <summary>Writes a <see cref="MemoryKind"/> as its plain name ("note"), and validates it on read.</summary>
public sealed class MemoryKindJsonConverter : JsonConverter<MemoryKind>
{
    public override MemoryKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"A memory kind must be a JSON string, not {reader.TokenType}.");
        try
        {
            return new MemoryKind(reader.GetString()!);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, MemoryKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
