using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Notes;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>A-MEM enrichment by one structured call. An answer without keywords or context is an error, not a silent default (A-MEM issue #10).</summary>
public sealed class LlmNoteEnricher(IStructuredChat chat) : INoteEnricher
{
    public async ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var prompt = MemoryPrompts.Enrichment(draft);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.EnrichmentDto, cancellationToken).ConfigureAwait(false);
        var keywords = Clean(dto.Keywords);
        if (keywords.Count == 0 || string.IsNullOrWhiteSpace(dto.Context))
            throw new InvalidModelDecisionException("enrichment", "it has no keywords or no context");
        return new NoteEnrichment(keywords, dto.Context.Trim(), Clean(dto.Tags).ConvertAll(static t => t.ToLowerInvariant()));
    }

    internal static List<string> Clean(List<string>? values)
    {
        var list = new List<string>();
        if (values is null) return list;
        foreach (var v in values)
        {
            var t = v?.Trim();
            if (!string.IsNullOrEmpty(t) && !list.Contains(t, StringComparer.OrdinalIgnoreCase)) list.Add(t);
        }
        return list;
    }
}
