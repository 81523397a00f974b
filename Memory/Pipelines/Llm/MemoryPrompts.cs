using System.Globalization;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Pipelines.Team;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>A system prompt and a user prompt for one structured call.</summary>
public readonly record struct Prompt(string System, string User);

/// <summary>
/// The prompts of the LLM mode. Each asks for one JSON object of a fixed shape (see the DTOs) and puts
/// the data in a JSON block, never spliced into the instructions. Ids the model may answer with are
/// either the real ids it is shown (A-MEM links, validated) or small integers (Mem0 consolidation and
/// relation invalidation) mapped back by the caller.
/// </summary>
public static class MemoryPrompts
{
    public static Prompt Enrichment(NoteDraft draft)
    {
        const string system = """
            You annotate one message of a conversation so it can be found again later.
            Answer with a single JSON object and nothing else:
            {"keywords": [string, ...], "context": string, "tags": [string, ...]}
            - keywords: at least three specific words or short phrases from the message, the most important first;
              no names of the speakers and no dates or times; avoid near-duplicates.
            - context: one sentence saying who says this, when, in reply to what, and what it is about.
            - tags: at least three broad categories (domain, kind of statement, theme), lower case.
            """;
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("speaker", draft.Speaker ?? "unknown");
            w.WriteString("date", draft.ObservedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteStrings("participants", draft.Participants);
            w.WriteStrings("previous_turns", draft.Before.Select(static t => t.ToString()));
            w.WriteString("message", draft.Content);
            w.WriteStrings("next_turns", draft.After.Select(static t => t.ToString()));
            w.WriteEndObject();
        });
        return new Prompt(system, "Annotate this message:\n" + user);
    }

    public static Prompt Evolution(NoteSnapshot note, IReadOnlyList<NeighbourNote> neighbours)
    {
        const string system = """
            You maintain a network of linked memory notes. A new note has arrived together with its nearest existing notes.
            Decide whether the network should evolve:
            - "strengthen": link the new note to some of the neighbours (give their ids in suggested_connections)
              and optionally give the new note better tags in tags_to_update;
            - "update_neighbor": give a neighbour a better context sentence and tags in the light of the new note.
              Only the context and tags of a neighbour can change, never its content or keywords.
            Use only ids from the neighbours list, copied exactly. Leave out a neighbour that needs no change.
            A neighbour marked "said_just_before" is a turn the new note follows in the same conversation: its context
            may say what came next.
            Answer with a single JSON object and nothing else:
            {"should_evolve": bool, "actions": ["strengthen" | "update_neighbor", ...],
             "suggested_connections": [id, ...], "tags_to_update": [string, ...],
             "neighbour_updates": [{"id": id, "context": string, "tags": [string, ...]}, ...]}
            """;
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("new_note");
            w.WriteString("content", note.Content);
            w.WriteString("context", note.Context);
            w.WriteStrings("keywords", note.Keywords);
            w.WriteStrings("tags", note.Tags);
            w.WriteEndObject();
            w.WriteStartArray("neighbours");
            foreach (var n in neighbours)
            {
                w.WriteStartObject();
                w.WriteString("id", n.Note.Id.ToString());
                w.WriteString("content", n.Note.Content);
                w.WriteString("context", n.Note.Context);
                w.WriteStrings("keywords", n.Note.Keywords);
                w.WriteStrings("tags", n.Note.Tags);
                if (n.Precedes) w.WriteBoolean("said_just_before", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new Prompt(system, "Decide the evolution for:\n" + user);
    }

    public static Prompt FactExtraction(FactExtractionInput input)
    {
        var date = input.ObservedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var system = $$"""
            You extract durable facts from the new messages of a conversation: personal details, preferences, plans,
            events, relationships, work, health, opinions. Each fact is one short self-contained sentence that names
            the person it is about (use the speaker's name, not "I"), in the language of the messages.
            The messages were written on {{date}}: turn relative dates ("yesterday", "next month") into absolute ones.
            Skip greetings, questions and small talk. If there is nothing worth remembering, return an empty list.
            Answer with a single JSON object and nothing else: {"facts": [string, ...]}
            """;
        return new Prompt(system, "Extract the facts from:\n" + Conversation(input));
    }

    /// <summary>The consolidation prompt; <paramref name="candidateKeys"/> are the small ids the candidates are shown under.</summary>
    public static Prompt Consolidation(IReadOnlyList<FactWithCandidates> facts, IReadOnlyList<(string Key, string Text)> candidateKeys)
    {
        const string system = """
            You keep a memory of facts up to date. You get new facts (numbered) and existing memories (with short ids).
            For every new fact give exactly one decision:
            - "ADD": the fact is new information;
            - "UPDATE": an existing memory says the same thing with less detail: give its id and the merged, more informative text;
            - "DELETE": the fact contradicts an existing memory (it is no longer true): give its id; the new fact is kept;
            - "NONE": the fact is already known: give the id of the memory that holds it.
            Use only the ids shown for existing memories, copied exactly; never make up an id.
            Answer with a single JSON object and nothing else:
            {"decisions": [{"fact": number, "event": "ADD" | "UPDATE" | "DELETE" | "NONE", "id": string or null, "text": string}, ...]}
            """;
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("existing_memories");
            foreach (var (key, text) in candidateKeys)
            {
                w.WriteStartObject();
                w.WriteString("id", key);
                w.WriteString("text", text);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("new_facts");
            for (var i = 0; i < facts.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("fact", i);
                w.WriteString("text", facts[i].Fact.Text);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new Prompt(system, "Consolidate:\n" + user);
    }

    public static Prompt EntityExtraction(FactExtractionInput input)
    {
        const string system = """
            You build a knowledge graph from a conversation. List the entities it names (people, places, organisations,
            things, events) and the relations between them stated in the messages, as (source, relation, target)
            with a short snake_case relation ("lives_in", "works_at", "likes", "sister_of"). Use the speaker's name for "I".
            Answer with a single JSON object and nothing else:
            {"entities": [{"name": string, "type": string}, ...], "relations": [{"source": string, "relation": string, "target": string}, ...]}
            """;
        return new Prompt(system, "Extract the graph from:\n" + Conversation(input));
    }

    public static Prompt TaskCondensation(TeamTask task)
    {
        const string system = """
            You summarise how a team of agents worked on a task. Keep only the key steps that mattered for the outcome,
            in order, one short line each ("agent: action -> result"). If the task failed, say in one sentence what went
            wrong (the first mistake), else give null.
            Answer with a single JSON object and nothing else: {"key_steps": [string, ...], "failure_reason": string or null}
            """;
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("task", task.Task);
            w.WriteBoolean("succeeded", task.Succeeded);
            w.WriteStartArray("steps");
            foreach (var s in task.Steps)
            {
                w.WriteStartObject();
                w.WriteString("agent", s.Agent);
                if (s.Instruction is not null) w.WriteString("instruction", s.Instruction);
                w.WriteString("message", s.Message);
                if (s.Action is not null) w.WriteString("action", s.Action);
                if (s.Observation is not null) w.WriteString("observation", s.Observation);
                w.WriteNumber("reward", s.Reward);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new Prompt(system, "Condense this task:\n" + user);
    }

    public static Prompt InsightRefinement(IReadOnlyList<CondensedTask> successes, IReadOnlyList<CondensedTask> failures, IReadOnlyList<(string Key, InsightView Insight)> insights)
    {
        const string system = """
            You keep a team of agents' rulebook. Compare the successful and the failed tasks with the current rules
            (each with a short id) and answer with operations:
            - "ADD": a new general rule ("do X, because Y") the tasks support; give its text;
            - "AGREE": the tasks confirm an existing rule; give its id;
            - "EDIT": an existing rule should be reworded or extended; give its id and the new text;
            - "REMOVE": the tasks contradict an existing rule or show it is useless; give its id.
            Rules must be general, not about one task. Use only the ids shown, copied exactly.
            Answer with a single JSON object and nothing else:
            {"operations": [{"op": "ADD" | "AGREE" | "EDIT" | "REMOVE", "id": string or null, "text": string or null}, ...]}
            """;
        static void WriteTasks(System.Text.Json.Utf8JsonWriter w, string name, IReadOnlyList<CondensedTask> tasks)
        {
            w.WriteStartArray(name);
            foreach (var t in tasks)
            {
                w.WriteStartObject();
                w.WriteString("task", t.Task);
                w.WriteStrings("key_steps", t.KeySteps);
                if (t.FailureReason is not null) w.WriteString("failure_reason", t.FailureReason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            WriteTasks(w, "successful_tasks", successes);
            WriteTasks(w, "failed_tasks", failures);
            w.WriteStartArray("rules");
            foreach (var (key, i) in insights)
            {
                w.WriteStartObject();
                w.WriteString("id", key);
                w.WriteString("text", i.Text);
                w.WriteNumber("score", i.Score);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new Prompt(system, "Refine the rules:\n" + user);
    }

    public static Prompt RelationInvalidation(IReadOnlyList<ExtractedRelation> newRelations, IReadOnlyList<(string Key, ExistingRelation Relation)> existing)
    {
        const string system = """
            You keep a knowledge graph current. Given relations just learnt and existing relations (with short ids),
            list the ids of existing relations that the new ones contradict or make outdated (for example a new
            "lives_in" elsewhere). Relations that can hold together (likes several things) are not contradicted.
            Use only the ids shown, copied exactly.
            Answer with a single JSON object and nothing else: {"contradicted": [id, ...]}
            """;
        var user = PromptJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("new_relations");
            foreach (var r in newRelations)
            {
                w.WriteStartObject();
                w.WriteString("source", r.Source);
                w.WriteString("relation", r.Relation);
                w.WriteString("target", r.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("existing_relations");
            foreach (var (key, r) in existing)
            {
                w.WriteStartObject();
                w.WriteString("id", key);
                w.WriteString("source", r.Source);
                w.WriteString("relation", r.Relation);
                w.WriteString("target", r.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new Prompt(system, "Which existing relations are contradicted?\n" + user);
    }

    /// <summary>The new messages with their date, as both extraction prompts show them.</summary>
    private static string Conversation(FactExtractionInput input) => PromptJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("date", input.ObservedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteStartArray("messages");
        foreach (var m in input.Messages)
        {
            w.WriteStartObject();
            w.WriteString("speaker", m.Speaker ?? "unknown");
            w.WriteString("content", m.Content);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
