namespace Agents.Abstractions.Inference;

/// <summary>A function offered to the model: name, description and the JSON schema of its parameters.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatTool")]
public sealed record ChatTool([property: Id(0)] string Name, [property: Id(1)] string Description, [property: Id(2)] string ParametersSchemaJson);
