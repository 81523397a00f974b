using System.Text.Json.Serialization;
using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Unit.Llm;

public sealed record Decision([property: JsonRequired] string Event, [property: JsonRequired] int Id);

[JsonSerializable(typeof(Decision))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class StructuredReadContext : JsonSerializerContext;

/// <summary>StructuredChat's validation step: the first candidate of the right shape wins; otherwise a useful error.</summary>
public sealed class StructuredReadTests
{
    [Fact]
    public void The_first_candidate_of_the_right_shape_wins()
    {
        var ok = StructuredChat.TryRead("Example: {\"x\": 1}. Answer: {\"event\": \"ADD\", \"id\": 3}", null, StructuredReadContext.Default.Decision, out var value, out _);
        Assert.True(ok);
        Assert.Equal(new Decision("ADD", 3), value);
    }

    [Fact]
    public void A_missing_required_member_is_reported_by_name()
    {
        var ok = StructuredChat.TryRead("{\"event\": \"ADD\"}", null, StructuredReadContext.Default.Decision, out _, out var error);
        Assert.False(ok);
        Assert.Contains("id", error);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_reported()
    {
        var ok = StructuredChat.TryRead("{\"event\": \"ADD\", \"id\": \"three\"}", null, StructuredReadContext.Default.Decision, out _, out var error);
        Assert.False(ok);
        Assert.Contains("expected shape", error);
    }

    [Fact]
    public void Json_null_is_not_a_value() =>
        Assert.False(StructuredChat.TryRead("null", null, StructuredReadContext.Default.Decision, out _, out _));

    [Fact]
    public void A_cut_off_answer_is_named_as_such()
    {
        Assert.False(StructuredChat.TryRead("{\"event\": \"AD", ChatFinishReason.Length, StructuredReadContext.Default.Decision, out _, out var error));
        Assert.Contains("cut off", error);
    }

    [Fact]
    public void An_empty_answer_is_named_as_such()
    {
        Assert.False(StructuredChat.TryRead("", null, StructuredReadContext.Default.Decision, out _, out var error));
        Assert.Equal("the answer is empty", error);
    }
}
