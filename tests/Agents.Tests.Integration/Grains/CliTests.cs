using Agents.Cli;
using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Tests.Integration.Grains;

/// <summary>The agents CLI against a real silo gateway over TCP.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private AgentsSilo _silo = null!;
    private string _gateway = "";
    private readonly string _cluster = $"c{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        _silo = AgentsSilo.Create(new AgentsSiloSettings
        {
            SiloName = "cli", ClusterId = _cluster, GatewayPort = -1,
            Llm = new ConfigurationBuilder().Build().GetSection("none"),
        }, NullLoggerFactory.Instance);
        await _silo.StartAsync();
        _gateway = _silo.Host.GatewayEndpoint!.ToString();
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        await _silo.DisposeAsync();
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AgentsCli.RunAsync([.. args, "--gateway", _gateway, "--cluster", _cluster], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Add_search_and_erase_through_the_gateway()
    {
        var (code, output, _) = await Run("add", "--user", "zoe", "--speaker", "zoe", "My favourite hiking trail is the Rota Vicentina.");
        Assert.Equal(0, code);
        Assert.StartsWith("stored ", output);

        await _silo.Engine.WaitForIdleAsync();
        (code, output, _) = await Run("search", "--user", "zoe", "Which hiking trail does she like?");
        Assert.Equal(0, code);
        Assert.Contains("Rota Vicentina", output);

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
