using System.Text;
using Agents.Abstractions;
using Agents.Abstractions.Workflows;
using Agents.Memory.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Agents.Grains.Agents;

/// <summary>
/// An agent driven by its model through Semantic Kernel: the memory is a plugin (<c>recall</c>,
/// <c>remember</c>) the model may call, its model turns go through the inference pool, and the step
/// starts with what memory holds for the step's question, numbered for citation. An empty answer or a
/// plan with no parts is garbage: the step fails.
/// </summary>
internal static class ModelAgent
{
    private const int Prefetch = 6;

    public static async Task<AgentStepResult> RunAsync(AgentStepRequest step, string? model, AgentMemory memory, IGrainFactory grains,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var ledger = new MemoryLedger();
        foreach (var m in await memory.RecallAsync(step.Question, Prefetch, cancellationToken)) ledger.Number(m);
        var prefetched = ledger.Shown;

        var pooled = new PooledChatClient(grains, model);
        var chat = new ChatClientBuilder(pooled).UseKernelFunctionInvocation(loggers).Build();
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IChatClient>(chat);
        builder.Services.AddSingleton<IChatCompletionService>(sp => chat.AsChatCompletionService(sp));
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(new MemoryPlugin(memory, ledger, step.RunId, step.Step, step.At), "memory");

        var history = new ChatHistory();
        history.AddSystemMessage(SystemPrompt(step));
        history.AddUserMessage(UserPrompt(step, prefetched));
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel, cancellationToken);
        var text = (reply.Content ?? "").Trim();

        var reads = ledger.Shown.Select(m => m.Id).ToArray();
        if (step.Kind == AgentStepKind.Plan)
        {
            var parts = text.Split('\n').Select(l => l.Trim().TrimStart('-', '*', ' ').TrimStart("0123456789.) ".ToCharArray()).Trim())
                .Where(l => l.Length > 0).Take(QuestionParts.MaxParts).ToArray();
            if (parts.Length == 0) throw new ModelFailedException($"The model's plan for step {step.Step} has no parts.", "output");
            return new AgentStepResult(text, [], $"split the task into {parts.Length} parts", parts, reads, ledger.WrittenIds, pooled.Calls);
        }
        if (text.Length == 0) throw new ModelFailedException($"The model gave no answer for step {step.Step}.", "output");
        var shown = ledger.Shown;
        var citations = AgentStepText.CitedNumbers(text).Where(n => n <= shown.Count).Select(n => AgentStepText.ToCitation(shown[n - 1])).ToArray();
        var action = $"answered with {model ?? "the default model"} after {pooled.Calls.Count} model call{(pooled.Calls.Count == 1 ? "" : "s")}, citing {citations.Length} memories";
        return new AgentStepResult(text, citations, action, [], reads, ledger.WrittenIds, pooled.Calls);
    }

    private static string SystemPrompt(AgentStepRequest step)
    {
        var text = new StringBuilder();
        text.Append("You are ").Append(step.Agent.Id).Append(", a member of a team of agents. Your role: ").Append(step.Agent.Role).AppendLine(".");
        if (!string.IsNullOrWhiteSpace(step.Agent.Instructions)) text.AppendLine(step.Agent.Instructions);
        text.AppendLine("Use the recall function to look things up in your own and your team's memory; use remember to keep a fact for later runs.");
        text.AppendLine("Answer only from the memories and the team's earlier outputs, and cite the memories you use as [n] with their numbers.");
        if (step.Team.Insights.Count > 0)
        {
            text.AppendLine("What the team learnt from earlier runs:");
            foreach (var insight in step.Team.Insights) text.Append("- ").AppendLine(insight.Text);
        }
        if (step.Team.Examples.Count > 0)
        {
            text.AppendLine("How similar runs went:");
            foreach (var example in step.Team.Examples)
                text.Append("- ").Append(example.Succeeded ? "succeeded: " : "failed: ").Append(example.Task).Append(" -> ").AppendLine(string.Join("; ", example.KeySteps));
        }
        return text.ToString();
    }

    private static string UserPrompt(AgentStepRequest step, IReadOnlyList<RecalledMemory> memories)
    {
        var text = new StringBuilder();
        text.Append("Task: ").AppendLine(step.Task);
        foreach (var previous in step.Previous) text.Append("Output of ").Append(previous.Agent).Append(": ").AppendLine(previous.Text);
        if (memories.Count > 0)
        {
            text.AppendLine("Memories:");
            for (var i = 0; i < memories.Count; i++) text.Append('[').Append(i + 1).Append("] ").AppendLine(memories[i].Text);
        }
        text.AppendLine(step.Kind switch
        {
            AgentStepKind.Plan => "Split the task into the separate questions or parts your workers should take, one per line, nothing else.",
            AgentStepKind.Merge => "Merge the workers' outputs into one answer to the task, keeping their citations.",
            _ => $"Now: {step.Question}",
        });
        return text.ToString();
    }
}
