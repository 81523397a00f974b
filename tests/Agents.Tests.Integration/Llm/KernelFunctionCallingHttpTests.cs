using Agents.Inference.Llm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// The Semantic Kernel <see cref="Kernel"/> that <c>AddAgentsLlm</c> registers, over real HTTP: with
/// automatic function calling, the model's tool call runs a plugin function and its result goes back to
/// the model in the next request, the way agents will call <c>recall</c> and <c>remember</c>.
/// </summary>
public sealed class KernelFunctionCallingHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_kernel_from_configuration_calls_a_plugin_function_and_sends_its_result_back()
    {
        // First request: call the offered function by the name the kernel gave it; then answer in words.
        var calls = 0;
        _server.AnswerOtherwiseWith(request => Interlocked.Increment(ref calls) == 1
            ? ScriptedResponse.ChatToolCall("call_1", request.Json.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString()!, """{"query":"bees"}""")
            : ScriptedResponse.Chat("Ann keeps bees."));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Llm:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Agents:Llm:ChatModel"] = "scripted-chat",
        }).Build();
        var services = new ServiceCollection();
        Assert.True(services.AddAgentsLlm(configuration.GetSection("Agents:Llm")));
        await using var provider = services.BuildServiceProvider();

        var kernel = provider.GetRequiredService<Kernel>();
        var queries = new List<string>();
        kernel.Plugins.AddFromFunctions("memory",
        [
            KernelFunctionFactory.CreateFromMethod((string query) =>
            {
                queries.Add(query);
                return "Ann keeps bees in her garden.";
            }, "recall", "Recalls what is remembered about a query."),
        ]);
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

        var answer = await kernel.InvokePromptAsync("What does Ann keep?", new KernelArguments(settings));

        Assert.Equal("Ann keeps bees.", answer.ToString());
        Assert.Equal(["bees"], queries);
        Assert.Equal(2, _server.Requests.Count);
        var offered = _server.Requests[0].Json.GetProperty("tools")[0].GetProperty("function");
        Assert.Contains("recall", offered.GetProperty("name").GetString());
        Assert.True(offered.GetProperty("parameters").GetProperty("properties").TryGetProperty("query", out _));

        var messages = _server.Requests[1].Json.GetProperty("messages").EnumerateArray().ToList();
        var call = messages.Single(m => m.GetProperty("role").GetString() == "assistant");
        Assert.Equal("call_1", call.GetProperty("tool_calls")[0].GetProperty("id").GetString());
        var result = messages.Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_1", result.GetProperty("tool_call_id").GetString());
        Assert.Contains("Ann keeps bees in her garden.", result.GetProperty("content").ToString());
        Assert.Equal(("user", "What does Ann keep?"), _server.Requests[1].Messages[0]);
    }

    [Fact]
    public async Task A_failed_kernel_call_surfaces_as_our_error_type()
    {
        _server.EnqueueChat(ScriptedResponse.Error(400, "model not loaded"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Llm:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Agents:Llm:ChatModel"] = "scripted-chat",
        }).Build();
        var services = new ServiceCollection();
        services.AddAgentsLlm(configuration.GetSection("Agents:Llm"));
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => provider.GetRequiredService<Kernel>().InvokePromptAsync("Hello?"));

        Assert.Equal(400, error.Status);
        Assert.Contains("model not loaded", error.Message);
    }
}
