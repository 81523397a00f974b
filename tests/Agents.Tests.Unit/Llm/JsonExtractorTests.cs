using System.Text.Json;
using Agents.Inference.Llm;

namespace Agents.Tests.Unit.Llm;

public sealed class JsonExtractorTests
{
    private static string First(string text)
    {
        Assert.True(JsonExtractor.TryExtract(text, out var json), $"no JSON found in: {text}");
        return json.GetRawText();
    }

    [Fact]
    public void Plain_json_is_taken_as_it_is() =>
        Assert.Equal("""{"a":1}""", First("""{"a":1}"""));

    [Theory]
    [InlineData("```json\n{\"a\": 1}\n```")]
    [InlineData("```JSON\n{\"a\": 1}\n```\n")]
    [InlineData("```\n{\"a\": 1}\n```")]
    [InlineData("Here you go:\n```json\n{\"a\": 1}\n```\nAnything else?")]
    [InlineData("```json\n{\"a\": 1}")] // fence never closed: the answer was cut after the JSON
    [InlineData("```{\"a\": 1}```")]    // fence and JSON on one line
    public void Code_fences_are_removed(string text) =>
        Assert.Equal("""{"a":1}""", First(text));

    [Theory]
    [InlineData("Sure! {\"a\": 1}")]
    [InlineData("{\"a\": 1} Hope this helps.")]
    [InlineData("Result:\n\n{\"a\": 1}\n\nNote: the value is 1.")]
    public void Text_before_and_after_is_ignored(string text) =>
        Assert.Equal("""{"a":1}""", First(text));

    [Fact]
    public void Arrays_are_found_too() =>
        Assert.Equal("""[1,2,{"b":[3]}]""", First("The list is [1, 2, {\"b\": [3]}] as asked."));

    [Fact]
    public void Braces_inside_strings_do_not_end_the_value()
    {
        const string text = """Answer: {"text": "a } and a ] and a \" quote {", "n": [1]} done""";
        Assert.Equal("""{"text":"a } and a ] and a \u0022 quote {","n":[1]}""", First(text));
    }

    [Fact]
    public void Trailing_commas_and_comments_are_tolerated_and_normalised() =>
        Assert.Equal("""{"a":[1,2],"b":"x"}""", First("{\n  // the values\n  \"a\": [1, 2,],\n  \"b\": \"x\", /* done */\n}"));

    [Fact]
    public void Thinking_blocks_are_skipped()
    {
        Assert.Equal("""{"a":2}""", First("<think>Maybe {\"a\": 1}? No.</think>\n{\"a\": 2}"));
        // Servers that strip the opening tag leave only the closing one.
        Assert.Equal("""{"a":2}""", First("Maybe {\"a\": 1}? No.</think>{\"a\": 2}"));
    }

    [Fact]
    public void A_double_encoded_json_string_is_unwrapped() =>
        Assert.Equal("""{"a":1}""", First("\"{\\\"a\\\": 1}\""));

    [Fact]
    public void Every_balanced_value_is_a_candidate_in_order()
    {
        var candidates = JsonExtractor.Candidates("First {\"a\": 1}, then {\"b\": 2}, and a broken {\"c\": ").Select(c => c.GetRawText()).ToList();
        Assert.Equal(["""{"a":1}""", """{"b":2}"""], candidates);
    }

    [Fact]
    public void A_mismatched_bracket_does_not_hide_a_later_value() =>
        Assert.Equal("""{"b":2}""", First("oops {\"a\": [1} then {\"b\": 2}"));

    [Fact]
    public void Duplicates_are_yielded_once()
    {
        var candidates = JsonExtractor.Candidates("```json\n{\"a\": 1}\n```").ToList();
        Assert.Single(candidates);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("I cannot do that.")]
    [InlineData("{\"a\": 1")]
    [InlineData("{'a': 1}")]
    public void No_json_means_no_candidate(string text)
    {
        Assert.False(JsonExtractor.TryExtract(text, out _));
        Assert.Empty(JsonExtractor.Candidates(text));
    }

    [Fact]
    public void Null_text_has_no_candidate() => Assert.False(JsonExtractor.TryExtract(null, out _));

    [Fact]
    public void A_long_answer_yields_at_most_the_candidate_limit()
    {
        var text = string.Join(" and ", Enumerable.Range(0, 40).Select(i => $"{{\"n\": {i}}}"));
        Assert.Equal(JsonExtractor.MaxCandidates, JsonExtractor.Candidates(text).Count());
    }

    [Fact]
    public void Candidates_survive_their_source_documents()
    {
        var candidate = JsonExtractor.Candidates("x {\"a\": {\"b\": [1]}} y").Single();
        GC.Collect();
        Assert.Equal(1, candidate.GetProperty("a").GetProperty("b")[0].GetInt32());
        Assert.Equal(JsonValueKind.Object, candidate.ValueKind);
    }
}
