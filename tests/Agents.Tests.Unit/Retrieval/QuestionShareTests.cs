using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

public sealed class QuestionShareTests
{
    [Theory]
    [InlineData("You play any instruments?", 1.0)]
    [InlineData("Yeah, I play clarinet! Do you?", 0.5)]
    [InlineData("I play clarinet. It relaxes me.", 0.0)]
    [InlineData("What? No way! I never knew.", 1.0 / 3)]
    [InlineData("Version 3.5 is out?", 1.0)]
    [InlineData("Is it? a photo of a guitar", 0.5)]
    [InlineData("   ", 0.0)]
    [InlineData("", 0.0)]
    public void Counts_the_sentences_that_ask(string text, double expected) =>
        Assert.Equal(expected, QuestionShare.Of(text), 9);
}
