using Agents.Cli;
using Agents.Client.Api;

namespace Agents.Tests.Integration.Api;

/// <summary>The agents CLI's HTTP commands (keys, memory) against a serving silo.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiCliTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AgentsCli.RunAsync([.. args, "--url", fixture.Host.BaseAddress.ToString()], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Keys_are_created_and_revoked_and_memory_is_used_through_the_API()
    {
        var (code, output, error) = await Run("keys", "create", "--tenant", "cli-tenant", "--admin-key", ApiHost.AdminKey);
        Assert.True(code == 0, error);
        var key = output.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith("agk_", key, StringComparison.Ordinal);
        var prefix = key.Split('_')[1];

        (code, output, error) = await Run("memory", "add", "--user", "zoe", "--speaker", "zoe", "My favourite hiking trail is the Rota Vicentina.", "--key", key);
        Assert.True(code == 0, error);
        var episode = Guid.Parse(output.Trim().Split(' ')[1]);
        using (var api = fixture.Host.Client(key)) await api.PipelineAsync(MemoryScopeIds.ForUser("zoe"), waitForIdle: true);

        (code, output, _) = await Run("memory", "search", "--user", "zoe", "Which hiking trail?", "--key", key);
        Assert.Equal(0, code);
        Assert.Contains("Rota Vicentina", output, StringComparison.Ordinal);
        (code, output, _) = await Run("memory", "list", "--user", "zoe", "--key", key);
        Assert.Equal(0, code);
        Assert.Contains(" in all", output, StringComparison.Ordinal);
        (code, output, _) = await Run("memory", "get", episode.ToString(), "--key", key);
        Assert.Equal(0, code);
        Assert.Contains("episode", output, StringComparison.Ordinal);
        (code, output, _) = await Run("memory", "history", episode.ToString(), "--key", key, "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"memory_id\"", output, StringComparison.Ordinal);
        (code, output, _) = await Run("memory", "delete", episode.ToString(), "--key", key);
        Assert.Equal((0, $"deleted {episode}"), (code, output.Trim()));
        (code, _, error) = await Run("memory", "get", episode.ToString(), "--key", key);
        Assert.Equal(2, code);
        Assert.Contains("404", error, StringComparison.Ordinal);

        (code, output, _) = await Run("keys", "revoke", prefix, "--admin-key", ApiHost.AdminKey);
        Assert.Equal((0, $"revoked {prefix}"), (code, output.Trim()));
        (code, _, error) = await Run("memory", "list", "--user", "zoe", "--key", key);
        Assert.Equal(2, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
        (code, _, error) = await Run("memory", "list", "--user", "zoe");
        Assert.Equal(2, code);
        Assert.Contains("--key", error, StringComparison.Ordinal);
    }
}
