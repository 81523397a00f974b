using System.Text.Json.Serialization;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>Source-generated (reflection-free) JSON metadata for every model answer the pipelines parse.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(EnrichmentDto))]
[JsonSerializable(typeof(EvolutionDto))]
[JsonSerializable(typeof(FactsDto))]
[JsonSerializable(typeof(ConsolidationDto))]
[JsonSerializable(typeof(GraphDto))]
[JsonSerializable(typeof(InvalidationDto))]
[JsonSerializable(typeof(InsightOperationsDto))]
[JsonSerializable(typeof(CondensedTaskDto))]
public sealed partial class PipelineJsonContext : JsonSerializerContext;
