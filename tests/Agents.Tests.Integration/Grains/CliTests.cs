using Agents.Cli;

namespace Agents.Tests.Integration.Grains;

/// <summary>The agents CLI against a real silo gateway over TCP.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private AgentsHost _silo = null!;

    public async Task InitializeAsync() => _silo = await AgentsHost.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AgentsCli.RunAsync([.. args, "--gateway", _silo.Gateway, "--cluster", _silo.ClusterId], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Add_wait_search_attend_and_erase_through_the_gateway()
    {
        var (code, output, _) = await Run("add", "--user", "zoe", "--speaker", "zoe", "My favourite hiking trail is the Rota Vicentina.");
        Assert.Equal(0, code);
        Assert.StartsWith("stored ", output);

        (code, output, _) = await Run("wait", "--user", "zoe");
        Assert.Equal((0, "idle"), (code, output.Trim()));
        (code, output, _) = await Run("search", "--user", "zoe", "Which hiking trail does she like?");
        Assert.Equal(0, code);
        Assert.Contains("Rota Vicentina", output);
        (code, output, _) = await Run("attend", "--user", "zoe", "hiking", "--top", "1");
        Assert.Equal(0, code);
        Assert.Matches(@"^1\.000  [0-9a-f-]{36}", output);

        (code, output, _) = await Run("erase", "--user", "zoe");
        Assert.Equal(0, code);
        Assert.Matches("erased [1-9][0-9]* records", output);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error_and_a_non_zero_exit()
    {
        var (code, _, error) = await Run("search", "no scope given");
        Assert.Equal(1, code);
        Assert.True(error.Contains("at least one is required", StringComparison.Ordinal), error);

        var output = new StringWriter();
        var err = new StringWriter();
        Assert.Equal(2, await AgentsCli.RunAsync(["search", "--user", "u", "q", "--gateway", "not-an-address"], output, err));
        Assert.Contains("not a host:port gateway address", err.ToString());
    }
}
