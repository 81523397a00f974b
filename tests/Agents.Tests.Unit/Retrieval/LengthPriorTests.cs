using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

public sealed class LengthPriorTests
{
    [Theory]
    // Index terms as the full-text index counts them: stop words dropped, the rest stemmed and kept with repeats.
    [InlineData("Thanks, glad you liked it!", 16, 3)]           // thank, glad, like
    [InlineData("I have been playing the clarinet for ten years in a city orchestra.", 16, 6)]
    [InlineData("It is what it is.", 16, 0)]                    // only stop words
    [InlineData("", 16, 0)]
    public void Is_the_square_root_of_the_share_of_terms_over_terms_plus_the_half_count(string content, double halfTerms, int terms) =>
        Assert.Equal(Math.Sqrt(terms / (terms + halfTerms)), LengthPrior.Of(content, halfTerms), 9);

    [Fact]
    public void Zero_means_no_prior_and_a_negative_count_is_refused()
    {
        Assert.Equal(1.0, LengthPrior.Of("Yes!", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPrior.Of("Yes!", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPrior.Of("Yes!", double.NaN));
    }

    [Fact]
    public void Grows_with_what_a_record_says()
    {
        var reply = LengthPrior.Of("Wow, great!", 16);
        var statement = LengthPrior.Of("We took the kayak out along the northern shore of the bay last weekend.", 16);
        Assert.True(reply < statement, $"{reply} < {statement}");
        Assert.True(statement < 1);
    }
}
