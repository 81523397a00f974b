using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Notes;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>
/// A-MEM evolution by one structured call. The model sees the neighbours' real ids and answers with
/// them; each is checked against the neighbours shown (A-MEM issues #11, #32): an unknown id fails the
/// whole decision with <see cref="UnknownMemoryReferenceException"/> before anything is written.
/// </summary>
public sealed class LlmLinkDecider(IStructuredChat chat) : ILinkDecider
{
    private const string Step = "evolution";

    public async ValueTask<LinkDecision> DecideAsync(NoteSnapshot note, IReadOnlyList<NeighbourNote> neighbours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(neighbours);
        if (neighbours.Count == 0) return LinkDecision.None;
        var prompt = MemoryPrompts.Evolution(note, neighbours);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.EvolutionDto, cancellationToken).ConfigureAwait(false);

        var allowed = neighbours.ToDictionary(static n => n.Note.Id);
        var allowedText = neighbours.Select(static n => n.Note.Id.ToString()).ToList();
        Guid Resolve(string? raw)
        {
            if (Guid.TryParse(raw?.Trim(), out var id) && allowed.ContainsKey(id)) return id;
            throw new UnknownMemoryReferenceException(raw ?? "(missing)", Step, allowedText);
        }

        // Validate everything first; only then decide what the answer means.
        var links = (dto.SuggestedConnections ?? []).Select(Resolve).Distinct().ToList();
        var rewrites = new List<NeighbourRewrite>();
        var rewritten = new HashSet<Guid>();
        foreach (var u in dto.NeighbourUpdates ?? [])
        {
            var id = Resolve(u.Id);
            if (!rewritten.Add(id)) throw new InvalidModelDecisionException(Step, $"neighbour {id} is updated twice");
            var old = allowed[id].Note;
            var context = string.IsNullOrWhiteSpace(u.Context) ? old.Context : u.Context.Trim();
            var tags = u.Tags is null ? old.Tags : LlmNoteEnricher.Clean(u.Tags).ConvertAll(static t => t.ToLowerInvariant());
            if (context != old.Context || !tags.SequenceEqual(old.Tags)) rewrites.Add(new NeighbourRewrite(id, context, tags));
        }
        if (!dto.ShouldEvolve) return LinkDecision.None;

        var actions = new HashSet<string>((dto.Actions ?? []).Select(static a => a.Trim().ToLowerInvariant()));
        var strengthen = actions.Contains("strengthen") || actions.Count == 0 && links.Count > 0;
        var updateNeighbours = actions.Contains("update_neighbor") || actions.Contains("update_neighbour") || actions.Count == 0 && rewrites.Count > 0;
        var newTags = strengthen && dto.TagsToUpdate is { Count: > 0 } ? LlmNoteEnricher.Clean(dto.TagsToUpdate).ConvertAll(static t => t.ToLowerInvariant()) : null;
        return new LinkDecision(strengthen ? links : [], newTags, updateNeighbours ? rewrites : []);
    }
}
