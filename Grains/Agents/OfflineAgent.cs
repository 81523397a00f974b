using Agents.Abstractions.Workflows;
using Agents.Memory.Agents;
using Agents.Memory.Retrieval;
using Microsoft.Extensions.AI;

namespace Agents.Grains.Agents;

/// <summary>
/// An agent with no model: it plans by splitting the task into its questions, answers each question
/// with the best memory it and its team hold (cited), and merges workers' answers by their citations.
/// The same memories always give the same answer.
/// </summary>
internal static class OfflineAgent
{
    private const int Candidates = 5;

    public static async Task<AgentStepResult> RunAsync(AgentStepRequest step, AgentMemory memory, IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        switch (step.Kind)
        {
            case AgentStepKind.Plan:
            {
                var parts = QuestionParts.Split(step.Question);
                var text = string.Join("\n", parts.Select((p, i) => $"{i + 1}. {p}"));
                return new AgentStepResult(text, [], $"split the task into {parts.Count} part{(parts.Count == 1 ? "" : "s")}", parts, [], [], []);
            }
            case AgentStepKind.Merge:
            {
                var merged = ExtractiveAnswerer.Merge(step.Previous.Select(p => (IReadOnlyList<RecalledMemory>)p.Citations.Select(AgentStepText.ToRecalled).ToArray()).ToArray());
                return new AgentStepResult(merged.Text, merged.Cited.Select(AgentStepText.ToCitation).ToArray(),
                    $"merged {step.Previous.Count} answers citing {merged.Cited.Count} memories", [], [], [], []);
            }
            default:
            {
                var questions = QuestionParts.Split(step.Question);
                var found = new List<IReadOnlyList<RecalledMemory>>(questions.Count);
                foreach (var question in questions)
                    found.Add(await WithSimilarityAsync(question, await memory.RecallAsync(question, Candidates, cancellationToken), embedder, cancellationToken));
                var answer = ExtractiveAnswerer.Compose(questions, found);
                var reads = found.SelectMany(f => f).Select(m => m.Id).Distinct().ToArray();
                var action = answer.Cited.Count == 0
                    ? "found nothing in memory"
                    : $"answered {questions.Count - answer.Unanswered} of {questions.Count} question{(questions.Count == 1 ? "" : "s")} from memory with {answer.Cited.Count} citation{(answer.Cited.Count == 1 ? "" : "s")}";
                return new AgentStepResult(answer.Text, answer.Cited.Select(AgentStepText.ToCitation).ToArray(), action, [], reads, [], []);
            }
        }
    }

    /// <summary>The candidates with their similarity to the question, in one embedding call; if the
    /// embedder fails, as they are (the answer then rests on the retriever's ranking).</summary>
    private static async Task<IReadOnlyList<RecalledMemory>> WithSimilarityAsync(string question, IReadOnlyList<RecalledMemory> candidates,
        IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        if (candidates.Count < 2) return candidates;
        GeneratedEmbeddings<Embedding<float>> vectors;
        try
        {
            vectors = await embedder.GenerateAsync([question, .. candidates.Select(c => c.Text)], cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return candidates;
        }
        if (vectors.Count != candidates.Count + 1) return candidates;
        var asked = vectors[0].Vector;
        return candidates.Select((c, i) => c with { Similarity = VectorSimilarity.Cosine(asked.Span, vectors[i + 1].Vector.Span) }).ToArray();
    }
}
