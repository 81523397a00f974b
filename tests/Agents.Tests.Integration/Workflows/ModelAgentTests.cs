using System.Text.Json;
using System.Text.RegularExpressions;
using Agents.Abstractions.Workflows;
using Agents.Tests.Integration.Grains;
using Agents.Tests.Integration.Llm;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Workflows;

/// <summary>
/// Agents that call their model: through Semantic Kernel and the inference pool, against the scripted
/// OpenAI-compatible server over real HTTP. The memory pipelines stay offline (Agents:Memory:Models).
/// </summary>
public sealed partial class ModelAgentTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;
    private InProcessTestCluster _cluster = null!;

    private static readonly string[] Knowledge =
    [
        "The Aurora launch is set for 14 March in Lisbon.",
        "Aurora's launch budget is 40,000 euros, approved by finance in January.",
        "The Borealis campaign starts on 2 June.",
    ];

    public async Task InitializeAsync()
    {
        _server = await ScriptedOpenAiServer.StartAsync();
        _cluster = await AgentsTestCluster.StartAsync(1, new Dictionary<string, string?>
        {
            ["Agents:Llm:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Agents:Llm:ChatModel"] = "scripted-chat",
            ["Agents:Llm:MaxRetries"] = "0",
            ["Agents:Memory:Models"] = "offline",
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static WorkflowDefinition Definition(string onError, params WorkflowAgent[] agents) =>
        new("model-run", $"team-{Guid.NewGuid():N}"[..14], "When is the Aurora launch?", agents, OnError: onError, Knowledge: Knowledge);

    [Fact]
    public async Task An_agent_calls_recall_through_function_calling_and_answers_with_what_it_returned()
    {
        _server.AnswerOtherwiseWith(request =>
        {
            var tool = ToolResult(request);
            if (tool is null)
            {
                var recall = request.Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!).Single(n => n.Contains("recall"));
                return ScriptedResponse.ChatToolCall("call_1", recall, """{"query":"Aurora launch date"}""");
            }
            // Cite the memory the function returned, by the number it was given.
            var number = CitedLine().Match(tool).Groups[1].Value;
            return ScriptedResponse.Chat($"The Aurora launch is on 14 March [{number}].");
        });

        var (status, events) = await WorkflowRunner.RunAsync(_cluster.Client, "llm", Definition(WorkflowOnError.Fail, new WorkflowAgent("researcher", "finds facts")));

        Assert.True(status.State == WorkflowRunState.Completed, status.Error);
        Assert.Contains("14 March", status.Answer);
        Assert.Equal(Knowledge[0], Assert.Single(status.Citations).Text);
        var calls = events.Where(e => e.Type == WorkflowEventType.ModelCalled).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Contains("recall", calls[0].Message);
        Assert.All(calls, c => Assert.Equal((11, 7), (c.PromptTokens, c.CompletionTokens)));
        Assert.Contains("14 March", ToolResult(_server.Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))));
        // The model saw the agent's role and what memory held before it asked.
        var prompt = _server.Requests.First(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Messages;
        Assert.Contains(prompt, m => m.Role == "system" && m.Content.Contains("finds facts"));
        Assert.Contains(prompt, m => m.Role == "user" && m.Content.Contains("Memories:"));
    }

    [Theory]
    [InlineData(WorkflowOnError.Fail, WorkflowRunState.Failed, 1)]
    [InlineData(WorkflowOnError.Retry, WorkflowRunState.Failed, 1 + WorkflowOnError.MaxRetries)]
    [InlineData(WorkflowOnError.Skip, WorkflowRunState.Completed, 1)]
    public async Task A_failing_model_fails_its_step_with_a_clear_event_and_the_run_follows_on_error(string onError, string final, int failures)
    {
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Error(500, "the model crashed"));

        var (status, events) = await WorkflowRunner.RunAsync(_cluster.Client, "llm", Definition(onError,
            new WorkflowAgent("researcher", "finds facts"), new WorkflowAgent("writer", "writes the answer", Model: WorkflowAgent.OfflineModel)));

        Assert.Equal(final, status.State);
        var failed = events.Where(e => e.Type == WorkflowEventType.StepFailed).ToArray();
        Assert.Equal(failures, failed.Length);
        Assert.All(failed, e => Assert.Equal(("researcher", 1), (e.Agent, e.Step)));
        Assert.All(failed, e => Assert.Contains("500", e.Message));
        if (final == WorkflowRunState.Failed)
        {
            Assert.Contains("researcher", status.Error);
            Assert.Equal(WorkflowEventType.RunFailed, events[^1].Type);
        }
        else
        {
            Assert.Contains(events, e => e.Type == WorkflowEventType.StepSkipped && e.Step == 1);
            Assert.Contains("14 March", status.Answer);   // the offline writer answered
        }
    }

    [Fact]
    public async Task A_model_that_answers_nothing_fails_the_step_as_garbage()
    {
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat(""));

        var (status, events) = await WorkflowRunner.RunAsync(_cluster.Client, "llm", Definition(WorkflowOnError.Fail, new WorkflowAgent("researcher", "finds facts")));

        Assert.Equal(WorkflowRunState.Failed, status.State);
        Assert.Contains("no answer", Assert.Single(events, e => e.Type == WorkflowEventType.StepFailed).Message);
    }

    [Fact]
    public async Task A_model_name_with_no_endpoint_behind_it_is_a_clear_failure_not_an_offline_answer()
    {
        await using var offline = await AgentsTestCluster.StartAsync(1, new Dictionary<string, string?>());
        var (status, events) = await WorkflowRunner.RunAsync(offline.Client, "llm", Definition(WorkflowOnError.Fail, new WorkflowAgent("researcher", "finds facts", Model: "gpt-x")));

        Assert.Equal(WorkflowRunState.Failed, status.State);
        Assert.Contains("no chat endpoint", Assert.Single(events, e => e.Type == WorkflowEventType.StepFailed).Message);
    }

    private static string? ToolResult(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "tool")
            .Select(m => m.GetProperty("content").ValueKind == JsonValueKind.String ? m.GetProperty("content").GetString() : m.GetProperty("content").ToString())
            .LastOrDefault();

    [GeneratedRegex(@"\[(\d+)\] The Aurora launch is set for 14 March")]
    private static partial Regex CitedLine();
}
