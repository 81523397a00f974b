using System.Globalization;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;

namespace Agents.Bench.Locomo;

/// <summary>
/// Builds the memory of one conversation turn the way the offline note path does: content = what was
/// said (with the shared image's caption), keywords = its content words (so the turn's own words weigh
/// more than its surroundings in full-text search), context = who said it, when, and the neighbouring
/// turns of the same session (A-MEM's one-line situation, made from the conversation's structure),
/// valid/observed at the session date, source = the turn id. Generic: nothing here depends on the data set.
/// </summary>
public sealed class ConversationNoteBuilder(int neighbours, int maxContextLength = 2000)
{
    public MemoryRecord Build(IReadOnlyList<LocomoTurn> turns, int index, MemoryScope scope)
    {
        var turn = turns[index];
        var context = new System.Text.StringBuilder();
        context.Append(turn.Speaker).Append(", ").Append(turn.SessionDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)).Append('.');
        var around = new List<int>();
        for (var j = index - neighbours; j <= index + neighbours; j++)
            if (j != index && j >= 0 && j < turns.Count && turns[j].Session == turn.Session) around.Add(j);
        // The store caps a context's length: each neighbour gets an equal share of what is left.
        var share = around.Count == 0 ? 0 : Math.Max(0, (maxContextLength - context.Length) / around.Count - 1);
        foreach (var j in around)
        {
            var said = turns[j].Speaker + ": " + turns[j].Document;
            context.Append(' ').Append(said.Length <= share ? said : said[..share]);
        }
        var keywords = TextAnalyzer.Words(turn.Document).Where(w => !TextAnalyzer.IsStopWord(w)).Distinct(StringComparer.Ordinal).Take(64).ToList();
        return new MemoryRecord
        {
            Id = Guid.NewGuid(),
            Scope = scope,
            Kind = MemoryKind.Note,
            Content = turn.Document,
            Keywords = keywords,
            Context = context.ToString(),
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["speaker"] = turn.Speaker,
                ["session"] = turn.Session.ToString(CultureInfo.InvariantCulture),
            },
            Sources = [turn.DiaId],
            ObservedAt = turn.SessionDate,
            ValidAt = turn.SessionDate,
        };
    }

    /// <summary>The text the note is embedded from: speaker and content, or (A-MEM's choice) the whole note with its context.</summary>
    public static string EmbeddingText(MemoryRecord note, bool withContext) =>
        withContext ? note.Content + "\n" + note.Context : note.Metadata["speaker"] + ": " + note.Content;
}
