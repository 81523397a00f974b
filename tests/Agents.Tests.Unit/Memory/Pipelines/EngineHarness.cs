using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Stores;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>Small helpers shared by the engine tests.</summary>
public static class EngineHarness
{
    public static readonly DateTimeOffset Day1 = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Day2 = new(2023, 6, 9, 10, 0, 0, TimeSpan.Zero);

    public static MemoryEngineOptions FastOptions(int maxAttempts = 3) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        RetryDelay = TimeSpan.Zero,
        MaxAttempts = maxAttempts,
    };

    public static Task<IReadOnlyList<MemoryRecord>> ListAsync(IMemoryStore store, MemoryScope scope, MemoryKind kind, bool includeExpired = false) =>
        store.ListAsync(new MemoryFilter(scope) { Kinds = [kind], IncludeExpired = includeExpired }, 1000);

    public static AddMemoryRequest Say(MemoryScope scope, DateTimeOffset at, params (string Speaker, string Text)[] turns) =>
        new(scope, turns.Select(t => new ConversationTurn(t.Speaker, t.Text)).ToList(), at);
}
