using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Facts;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>Mem0 fact extraction by one structured call, given the observation date.</summary>
public sealed class LlmFactExtractor(IStructuredChat chat) : IFactExtractor
{
    public async ValueTask<IReadOnlyList<ExtractedFact>> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var prompt = MemoryPrompts.FactExtraction(input);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.FactsDto, cancellationToken).ConfigureAwait(false);
        if (dto.Facts is null) throw new InvalidModelDecisionException("fact extraction", "the \"facts\" list is missing");
        var speakers = input.Messages.Select(static m => m.Speaker).Where(static s => s is not null).Distinct().ToList();
        var subject = speakers.Count == 1 ? speakers[0] : null;
        return LlmNoteEnricher.Clean(dto.Facts).ConvertAll(f => new ExtractedFact(f, subject));
    }
}
