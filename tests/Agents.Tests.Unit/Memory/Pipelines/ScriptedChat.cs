using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Agents.Inference.Llm;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>
/// A scripted <see cref="IStructuredChat"/>: each call takes the next answer for its DTO type (JSON
/// text, parsed with the real source-generated metadata) and records the prompts it was given.
/// </summary>
public sealed class ScriptedChat : IStructuredChat
{
    private readonly Dictionary<Type, Queue<Func<string, string>>> _answers = [];

    public List<(string System, string User, Type Type)> Calls { get; } = [];

    /// <summary>Queues an answer for calls returning <typeparamref name="T"/>.</summary>
    public ScriptedChat Answer<T>(string json) => Answer<T>(_ => json);

    /// <summary>Queues an answer computed from the user prompt.</summary>
    public ScriptedChat Answer<T>(Func<string, string> fromUserPrompt)
    {
        if (!_answers.TryGetValue(typeof(T), out var queue)) _answers[typeof(T)] = queue = new Queue<Func<string, string>>();
        queue.Enqueue(fromUserPrompt);
        return this;
    }

    /// <summary>Answers every call returning <typeparamref name="T"/> the same way from now on.</summary>
    public Dictionary<Type, Func<string, string>> Always { get; } = [];

    public Task<T> CompleteJsonAsync<T>(string systemPrompt, string userPrompt, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        Calls.Add((systemPrompt, userPrompt, typeof(T)));
        Func<string, string>? answer = null;
        if (_answers.TryGetValue(typeof(T), out var queue) && queue.Count > 0) answer = queue.Dequeue();
        else if (Always.TryGetValue(typeof(T), out var always)) answer = always;
        if (answer is null) throw new InvalidOperationException($"The script has no answer for a {typeof(T).Name} call.");
        var value = JsonSerializer.Deserialize(answer(userPrompt), type) ?? throw new LlmOutputException("null answer");
        return Task.FromResult(value);
    }
}
