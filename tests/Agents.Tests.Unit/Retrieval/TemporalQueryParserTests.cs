using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

public sealed class TemporalQueryParserTests
{
    private static DateTimeOffset D(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("What movie did Joanna watch on 1 May, 2022?", 2022, 5, 1, 2022, 5, 2)]
    [InlineData("What did she show on October 13, 2023?", 2023, 10, 13, 2023, 10, 14)]
    [InlineData("What did he accomplish in January 2022?", 2022, 1, 1, 2022, 2, 1)]
    [InlineData("Where did they travel in 2021?", 2021, 1, 1, 2022, 1, 1)]
    [InlineData("the 3rd December 2023 party", 2023, 12, 3, 2023, 12, 4)]
    public void Finds_the_most_specific_absolute_time(string query, int y1, int m1, int d1, int y2, int m2, int d2)
    {
        var range = TemporalQueryParser.Parse(query);
        Assert.Equal(new TimeRange(D(y1, m1, d1), D(y2, m2, d2)), range);
    }

    [Theory]
    [InlineData("What did Melanie paint recently?")]
    [InlineData("When did she go camping in June?")]
    [InlineData("How many of the 12 cats were adopted?")]
    public void Gives_nothing_without_an_absolute_time(string query) => Assert.Null(TemporalQueryParser.Parse(query));

    [Fact]
    public void An_impossible_day_falls_back_to_its_month()
    {
        Assert.Equal(new TimeRange(D(2023, 2, 1), D(2023, 3, 1)), TemporalQueryParser.Parse("Was it on 31 February, 2023?"));
        Assert.Throws<ArgumentNullException>(() => TemporalQueryParser.Parse(null!));
    }
}
