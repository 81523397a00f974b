namespace Agents.Memory.Pipelines.Llm;

// The JSON shapes the prompts ask for (snake_case on the wire, see PipelineJsonContext).
// Arrays are nullable: a local model may leave one out, and the caller decides what that means.

public sealed class EnrichmentDto
{
    public List<string>? Keywords { get; set; }
    public string? Context { get; set; }
    public List<string>? Tags { get; set; }
}

public sealed class EvolutionDto
{
    public bool ShouldEvolve { get; set; }
    public List<string>? Actions { get; set; }
    public List<string>? SuggestedConnections { get; set; }
    public List<string>? TagsToUpdate { get; set; }
    public List<NeighbourUpdateDto>? NeighbourUpdates { get; set; }
}

public sealed class NeighbourUpdateDto
{
    public string? Id { get; set; }
    public string? Context { get; set; }
    public List<string>? Tags { get; set; }
}

public sealed class FactsDto
{
    public List<string>? Facts { get; set; }
}

public sealed class ConsolidationDto
{
    public List<FactDecisionDto>? Decisions { get; set; }
}

public sealed class FactDecisionDto
{
    public int Fact { get; set; }
    public string? Event { get; set; }
    public string? Id { get; set; }
    public string? Text { get; set; }
}

public sealed class GraphDto
{
    public List<EntityDto>? Entities { get; set; }
    public List<RelationDto>? Relations { get; set; }
}

public sealed class EntityDto
{
    public string? Name { get; set; }
    public string? Type { get; set; }
}

public sealed class RelationDto
{
    public string? Source { get; set; }
    public string? Relation { get; set; }
    public string? Target { get; set; }
}

public sealed class CondensedTaskDto
{
    public List<string>? KeySteps { get; set; }
    public string? FailureReason { get; set; }
}

public sealed class InsightOperationsDto
{
    public List<InsightOperationDto>? Operations { get; set; }
}

public sealed class InsightOperationDto
{
    public string? Op { get; set; }
    public string? Id { get; set; }
    public string? Text { get; set; }
}

public sealed class InvalidationDto
{
    public List<string>? Contradicted { get; set; }
}
