using Agents.Inference.Llm;

namespace Agents.Tests.Unit.Llm;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Seconds() => Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Parse(null, "7", Now));

    [Fact]
    public void Milliseconds_take_precedence() => Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfter.Parse("250", "7", Now));

    [Fact]
    public void An_http_date_is_the_time_until_then() =>
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Parse(null, Now.AddSeconds(30).ToString("r"), Now));

    [Fact]
    public void A_date_in_the_past_means_now() => Assert.Equal(TimeSpan.Zero, RetryAfter.Parse(null, Now.AddMinutes(-1).ToString("r"), Now));

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "soon")]
    [InlineData("-5", "-5")]
    [InlineData("NaN", "")]
    public void Nothing_usable_means_no_server_delay(string? ms, string? retryAfter) => Assert.Null(RetryAfter.Parse(ms, retryAfter, Now));
}
