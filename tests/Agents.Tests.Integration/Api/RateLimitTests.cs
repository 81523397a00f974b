using System.Net;

namespace Agents.Tests.Integration.Api;

/// <summary>A silo whose keys may make one request a second, in bursts of three.</summary>
public sealed class RateLimitedApiFixture : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Agents:Http:RateLimitPerSecond"] = "1",
        ["Agents:Http:RateLimitBurst"] = "3",
    };
}

/// <summary>Each key has its own rate limit: over it, 429 with a problem and Retry-After; another key is unaffected.</summary>
[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(RateLimitedApiFixture fixture) : IClassFixture<RateLimitedApiFixture>
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_and_another_key_does_not()
    {
        using var first = fixture.Host.Http(await fixture.Host.CreateKeyAsync("rate-a"));
        using var second = fixture.Host.Http(await fixture.Host.CreateKeyAsync("rate-b"));
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("v1/ping/")).StatusCode);
        // A burst of three and one more a second: some request among the next hundred is refused, however slow the machine.
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 100 && limited is null; i++)
        {
            var response = await first.GetAsync("v1/ping/");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.NotNull(limited);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("v1/ping/")).StatusCode);
    }
}
