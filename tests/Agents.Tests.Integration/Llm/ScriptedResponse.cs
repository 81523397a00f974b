using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// One answer the scripted server gives: status, body, extra headers, a delay before answering, a
/// stall in the middle of the body, and optionally a rendezvous (hold the answer until this many
/// requests are in flight, at most 10 s), which shows concurrency without asserting any timing.
/// </summary>
public sealed record ScriptedResponse(int Status, string Body, string ContentType = "application/json")
{
    public TimeSpan Delay { get; init; }

    /// <summary>Send the body up to this many characters, then wait <see cref="Stall"/> before the rest.</summary>
    public int? StallAfter { get; init; }
    public TimeSpan Stall { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public int HoldUntilInFlight { get; init; }

    /// <summary>A chat completion whose assistant message is <paramref name="content"/>.</summary>
    public static ScriptedResponse Chat(string content, string finishReason = "stop", string model = "scripted-chat")
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 },
        };
        return new ScriptedResponse(200, body.ToJsonString());
    }

    /// <summary>A chat completion whose assistant message calls one function (tool) with JSON arguments.</summary>
    public static ScriptedResponse ChatToolCall(string callId, string functionName, string arguments)
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = "scripted-chat",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = callId,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = functionName, ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = "tool_calls",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 },
        };
        return new ScriptedResponse(200, body.ToJsonString());
    }

    /// <summary>A server-sent-event stream of chat deltas, ended by [DONE].</summary>
    public static ScriptedResponse ChatStream(params string[] pieces)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pieces.Length; i++)
        {
            var chunk = new JsonObject
            {
                ["id"] = "chatcmpl-stream",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_700_000_000,
                ["model"] = "scripted-chat",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = pieces[i] } : new JsonObject { ["content"] = pieces[i] },
                    ["finish_reason"] = i == pieces.Length - 1 ? "stop" : null,
                }),
            };
            builder.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");
        }
        builder.Append("data: [DONE]\n\n");
        return new ScriptedResponse(200, builder.ToString(), "text/event-stream");
    }

    /// <summary>An embeddings answer; <paramref name="indexOrder"/> lets a test send the vectors out of order.</summary>
    public static ScriptedResponse Embeddings(IReadOnlyList<float[]> vectors, IReadOnlyList<int>? indexOrder = null)
    {
        var data = new JsonArray();
        foreach (var index in indexOrder ?? Enumerable.Range(0, vectors.Count).ToArray())
        {
            var embedding = new JsonArray();
            foreach (var x in vectors[index]) embedding.Add(x);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = index, ["embedding"] = embedding });
        }
        var body = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = "scripted-embed",
            ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["total_tokens"] = 5 },
        };
        return new ScriptedResponse(200, body.ToJsonString());
    }

    /// <summary>An OpenAI-style error answer.</summary>
    public static ScriptedResponse Error(int status, string message, params (string Name, string Value)[] headers) =>
        new(status, JsonSerializer.Serialize(new { error = new { message, type = "scripted", code = status.ToString(CultureInfo.InvariantCulture) } }))
        {
            Headers = headers.ToDictionary(h => h.Name, h => h.Value),
        };
}
