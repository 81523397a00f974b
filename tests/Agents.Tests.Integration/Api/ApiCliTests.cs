using Agents.Cli;
using Agents.Client.Api;

namespace Agents.Tests.Integration.Api;

/// <summary>The agents CLI's HTTP commands (keys, memory, workflow runs) against a serving silo.</summary>
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

    [Fact]
    public async Task A_workflow_runs_end_to_end_over_HTTP_and_is_inspected_and_replayed()
    {
        var key = await fixture.Host.CreateKeyAsync("cli-runs");
        var file = Path.Combine(Workflows.Examples.Directory, "launch-brief.yaml");

        var (code, output, error) = await Run("run", file, "--id", "cli-run-1", "--key", key);
        Assert.True(code == 0, error + output);
        Assert.Contains("run.started", output, StringComparison.Ordinal);
        Assert.Contains("step.finished", output, StringComparison.Ordinal);
        Assert.Contains("Answer", output, StringComparison.Ordinal);
        Assert.Contains("14 March", output, StringComparison.Ordinal);
        Assert.Contains("Citations", output, StringComparison.Ordinal);
        Assert.Contains("run cli-run-1: completed", output, StringComparison.Ordinal);

        (code, output, error) = await Run("run", file, "--json", "--key", key);
        Assert.True(code == 0, error);
        var result = System.Text.Json.JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Contains("40,000 euros", result.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(result.GetProperty("citations").EnumerateArray());

        (code, output, _) = await Run("status", "cli-run-1", "--json", "--key", key);
        Assert.Equal(0, code);
        Assert.Equal("cli-run-1", System.Text.Json.JsonDocument.Parse(output.Trim()).RootElement.GetProperty("run").GetString());

        // Re-attach after event 2: the rest of the events, then the result.
        using var api = fixture.Host.Client(key);
        var events = await api.RunEventsAsync("cli-run-1");
        (code, output, _) = await Run("events", "cli-run-1", "--after", "2", "--key", key);
        Assert.Equal(0, code);
        var printed = System.Text.RegularExpressions.Regex.Matches(output, @"(run|step|model|memory)\.(started|finished|failed|cancelled|skipped|called|read|written)\b");
        Assert.True(events.Events.Skip(2).Select(e => e.Type).SequenceEqual(printed.Select(m => m.Value)), output);
        Assert.DoesNotContain("run.started", output, StringComparison.Ordinal);
        Assert.Contains("run.finished", output, StringComparison.Ordinal);

        (code, output, _) = await Run("cancel", "cli-run-1", "--key", key);
        Assert.Equal((0, "run cli-run-1: completed"), (code, output.Trim()));

        // Errors: an unknown run (404), an invalid file (every problem, nothing sent), no key.
        (code, _, error) = await Run("status", "no-such-run", "--key", key);
        Assert.Equal(2, code);
        Assert.Contains("No run", error, StringComparison.Ordinal);
        var invalid = Path.Combine(Path.GetTempPath(), $"invalid-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(invalid, "name: x\nteam: t\ntopolgy: star\n");
        try
        {
            (code, _, error) = await Run("run", invalid, "--key", key);
            Assert.Equal(2, code);
            Assert.Contains("task: is missing", error, StringComparison.Ordinal);
            Assert.Contains("did you mean 'topology'", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(invalid);
        }
        (code, _, error) = await Run("run", file);
        Assert.Equal(2, code);
        Assert.Contains("--key", error, StringComparison.Ordinal);
        Assert.Equal(2, (await api.ListRunsAsync()).Runs.Count);
    }
}
