using System.Text.Json.Serialization;

namespace Agents.Tests.Integration.Llm;

public sealed record FactList(IReadOnlyList<string> Facts);

public sealed record Enrichment(
    [property: JsonRequired] IReadOnlyList<string> Keywords,
    [property: JsonRequired] string Context,
    [property: JsonRequired] IReadOnlyList<string> Tags);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FactList))]
[JsonSerializable(typeof(Enrichment))]
internal sealed partial class TestShapesContext : JsonSerializerContext;
