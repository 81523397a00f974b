using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using AiResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;
using OpenAiFinishReason = OpenAI.Chat.ChatFinishReason;
using OpenAiResponseFormat = OpenAI.Chat.ChatResponseFormat;

namespace Agents.Inference.Llm;

/// <summary>
/// Maps Microsoft.Extensions.AI chat messages and options to the OpenAI client's types and back.
/// Text conversations only: tools, images and audio are refused with <see cref="NotSupportedException"/>
/// rather than dropped, so nobody believes a tool was offered to the model when it was not.
/// </summary>
internal static class OpenAiChatMapper
{
    public static List<OpenAiChatMessage> ToOpenAi(IEnumerable<AiChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<OpenAiChatMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions)) result.Add(new SystemChatMessage(options.Instructions));
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            var text = TextOf(message);
            OpenAiChatMessage mapped =
                message.Role == ChatRole.System ? new SystemChatMessage(text) :
                message.Role == ChatRole.User ? new UserChatMessage(text) :
                message.Role == ChatRole.Assistant ? new AssistantChatMessage(text) :
                throw new NotSupportedException($"Chat role '{message.Role}' is not supported by this adapter (system, user and assistant are).");
            if (!string.IsNullOrEmpty(message.AuthorName))
            {
                switch (mapped)
                {
                    case UserChatMessage user: user.ParticipantName = message.AuthorName; break;
                    case AssistantChatMessage assistant: assistant.ParticipantName = message.AuthorName; break;
                    case SystemChatMessage system: system.ParticipantName = message.AuthorName; break;
                }
            }
            result.Add(mapped);
        }
        if (result.Count == 0) throw new ArgumentException("A chat request needs at least one message.", nameof(messages));
        return result;
    }

    public static ChatCompletionOptions ToOpenAi(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null) return result;
        if (options.Tools is { Count: > 0 })
            throw new NotSupportedException("Tool calling is not supported by this adapter; ask for JSON output instead.");
        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        result.MaxOutputTokenCount = options.MaxOutputTokens;
        result.FrequencyPenalty = options.FrequencyPenalty;
        result.PresencePenalty = options.PresencePenalty;
#pragma warning disable OPENAI001 // Seed is marked experimental by the OpenAI client; vLLM and llama.cpp honour it.
        result.Seed = options.Seed;
#pragma warning restore OPENAI001
        if (options.StopSequences is { } stops)
            foreach (var stop in stops) result.StopSequences.Add(stop);
        result.ResponseFormat = options.ResponseFormat switch
        {
            null => null,
            ChatResponseFormatText => OpenAiResponseFormat.CreateTextFormat(),
            ChatResponseFormatJson { Schema: null } => OpenAiResponseFormat.CreateJsonObjectFormat(),
            ChatResponseFormatJson json => OpenAiResponseFormat.CreateJsonSchemaFormat(
                SchemaName(json.SchemaName), BinaryData.FromString(json.Schema.Value.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: null),
            var other => throw new NotSupportedException($"Response format {other.GetType().Name} is not supported."),
        };
        // TopK has no OpenAI field; servers that support it take it through their own extensions.
        return result;
    }

    public static ChatResponse ToResponse(ChatCompletion completion)
    {
        var message = new AiChatMessage(ChatRole.Assistant, JoinText(completion.Content)) { RawRepresentation = completion };
        if (!string.IsNullOrEmpty(completion.Refusal))
            message.Contents.Add(new ErrorContent(completion.Refusal) { ErrorCode = "refusal" });
        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    public static ChatResponseUpdate ToUpdate(StreamingChatCompletionUpdate update)
    {
        var text = JoinText(update.ContentUpdate);
        return new ChatResponseUpdate(ChatRole.Assistant, text)
        {
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            ModelId = update.Model,
            CreatedAt = update.CreatedAt,
            FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
            RawRepresentation = update,
        };
    }

    public static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

    private static AiFinishReason ToFinishReason(OpenAiFinishReason reason) => reason switch
    {
        OpenAiFinishReason.Stop => AiFinishReason.Stop,
        OpenAiFinishReason.Length => AiFinishReason.Length,
        OpenAiFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        OpenAiFinishReason.ToolCalls or OpenAiFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        _ => new AiFinishReason(reason.ToString()),
    };

    private static string TextOf(AiChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            if (content is not TextContent)
                throw new NotSupportedException($"Message content of type {content.GetType().Name} is not supported by this adapter; only text is.");
        }
        return message.Text;
    }

    private static string JoinText(IEnumerable<ChatMessageContentPart> parts)
    {
        string? single = null;
        System.Text.StringBuilder? builder = null;
        foreach (var part in parts)
        {
            if (part.Kind != ChatMessageContentPartKind.Text || part.Text is null) continue;
            if (single is null) { single = part.Text; continue; }
            builder ??= new System.Text.StringBuilder(single);
            builder.Append(part.Text);
        }
        return builder?.ToString() ?? single ?? string.Empty;
    }

    // OpenAI accepts [a-zA-Z0-9_-]{1,64} as a schema name.
    private static string SchemaName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "response";
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = char.IsAsciiLetterOrDigit(name[i]) || name[i] is '_' or '-' ? name[i] : '_';
        return new string(buffer);
    }
}
