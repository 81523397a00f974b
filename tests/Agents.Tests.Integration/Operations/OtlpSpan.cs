namespace Agents.Tests.Integration.Operations;

/// <summary>One span as an OTLP export carried it, with its resource's attributes.</summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource)
{
    public string Service => Resource.GetValueOrDefault("service.name") ?? "";
    public string Instance => Resource.GetValueOrDefault("service.instance.id") ?? "";
}
