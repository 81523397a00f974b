using System.Text.Json;
using Agents.Abstractions.Inference;
using Microsoft.Extensions.AI;

namespace Agents.Grains.Inference;

/// <summary>Between the wire's chat turns and Microsoft.Extensions.AI's messages, both ways.</summary>
public static class ChatTurnMapping
{
    public static (List<ChatMessage> Messages, ChatOptions Options) ToChat(ChatTurnRequest request)
    {
        var messages = request.Messages.Select(ToMessage).ToList();
        var options = new ChatOptions { ModelId = request.Model, Temperature = request.Temperature };
        if (request.Tools.Count > 0)
        {
            options.Tools = request.Tools
                .Select(t => (AITool)AIFunctionFactory.CreateDeclaration(t.Name, t.Description, JsonDocument.Parse(t.ParametersSchemaJson).RootElement.Clone()))
                .ToList();
        }
        return (messages, options);
    }

    public static ChatTurnResponse FromChat(ChatResponse response, string? requestedModel)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .Select(c => new ChatToolCall(c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>())))
            .ToArray();
        return new ChatTurnResponse(
            string.IsNullOrEmpty(response.Text) ? null : response.Text, calls, response.ModelId ?? requestedModel ?? "default",
            ToInt(response.Usage?.InputTokenCount), ToInt(response.Usage?.OutputTokenCount));
    }

    public static ChatTurnRequest ToTurn(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var turn = messages.Select(FromMessage).ToArray();
        var tools = (options?.Tools ?? []).OfType<AIFunctionDeclaration>()
            .Select(f => new ChatTool(f.Name, f.Description, f.JsonSchema.GetRawText()))
            .ToArray();
        return new ChatTurnRequest(turn, tools, options?.ModelId, options?.Temperature);
    }

    public static ChatResponse ToResponse(ChatTurnResponse turn)
    {
        var contents = new List<AIContent>();
        if (turn.Text is not null) contents.Add(new TextContent(turn.Text));
        contents.AddRange(turn.ToolCalls.Select(c => new FunctionCallContent(c.Id, c.Name, Arguments(c.ArgumentsJson))));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ModelId = turn.Model,
            Usage = turn.PromptTokens is null && turn.CompletionTokens is null ? null
                : new UsageDetails { InputTokenCount = turn.PromptTokens, OutputTokenCount = turn.CompletionTokens },
        };
    }

    private static ChatMessage ToMessage(ChatTurnMessage m) => m.Role switch
    {
        "system" => new ChatMessage(ChatRole.System, m.Text ?? ""),
        "user" => new ChatMessage(ChatRole.User, m.Text ?? ""),
        "assistant" => new ChatMessage(ChatRole.Assistant,
            [.. m.Text is { Length: > 0 } text ? [new TextContent(text)] : Array.Empty<AIContent>(),
             .. (m.ToolCalls ?? []).Select(c => (AIContent)new FunctionCallContent(c.Id, c.Name, Arguments(c.ArgumentsJson)))]),
        "tool" => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(m.ToolCallId ?? "", m.Text)]),
        _ => throw new ArgumentException($"'{m.Role}' is not a chat role (system, user, assistant, tool)."),
    };

    private static ChatTurnMessage FromMessage(ChatMessage m)
    {
        if (m.Role == ChatRole.Tool)
        {
            var result = m.Contents.OfType<FunctionResultContent>().FirstOrDefault();
            return new ChatTurnMessage("tool", result?.Result switch { null => "", string s => s, var o => JsonSerializer.Serialize(o) }, ToolCallId: result?.CallId);
        }
        var calls = m.Contents.OfType<FunctionCallContent>()
            .Select(c => new ChatToolCall(c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()))).ToArray();
        var role = m.Role == ChatRole.System ? "system" : m.Role == ChatRole.Assistant ? "assistant" : "user";
        return new ChatTurnMessage(role, string.IsNullOrEmpty(m.Text) ? null : m.Text, calls.Length > 0 ? calls : null);
    }

    private static Dictionary<string, object?> Arguments(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, object?>>(json) ?? [];
        }
        catch (JsonException)
        {
            return []; // a model's malformed arguments: the function then reports its missing parameters
        }
    }

    private static int? ToInt(long? value) => value is null ? null : (int)Math.Min(value.Value, int.MaxValue);
}
