using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Agents.Memory.Pipelines.Notes;

namespace Agents.Tests.Integration.Grains;

/// <summary>
/// The offline enricher, except that a note whose text holds <c>[hold:NAME]</c> waits until the test
/// opens gate NAME (or the job is cancelled). Records the order notes are enriched in. Static, because
/// every silo of an in-process cluster builds its own models.
/// </summary>
public sealed partial class GatedEnricher(INoteEnricher inner) : INoteEnricher
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static ConcurrentQueue<string> Enriched { get; } = new();

    public static void Open(string gate) => Gate(gate).TrySetResult();

    public async ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken)
    {
        if (HoldPattern().Match(draft.Content) is { Success: true } hold)
            await Gate(hold.Groups[1].Value).Task.WaitAsync(cancellationToken);
        Enriched.Enqueue(draft.Content);
        return await inner.EnrichAsync(draft, cancellationToken);
    }

    private static TaskCompletionSource Gate(string name) => Gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    [GeneratedRegex(@"\[hold:([a-z0-9]+)\]")]
    private static partial Regex HoldPattern();
}
