using Agents.Memory.Agents;

namespace Agents.Tests.Unit.Answering;

public sealed class ExtractiveAnswererTests
{
    private static RecalledMemory M(string text, double score) => new(Guid.NewGuid(), text, "team", score);

    [Fact]
    public void Each_question_gets_a_memory_of_the_kind_it_wants_and_two_questions_prefer_two_memories()
    {
        var budget = M("Aurora's launch budget is 40,000 euros, approved in January.", 1.0);
        var date = M("The Aurora launch is set for 14 March in Lisbon.", 0.95);
        var other = M("The Borealis campaign has a budget of 15,000 euros.", 0.4);

        var answer = ExtractiveAnswerer.Compose(["When is the Aurora launch", "what is its budget (Aurora)"], [[budget, date, other], [budget, other, date]]);

        Assert.Equal([date, budget], answer.Cited);
        Assert.Equal("The Aurora launch is set for 14 March in Lisbon. [1] Aurora's launch budget is 40,000 euros, approved in January. [2]", answer.Text);
        Assert.Equal(0, answer.Unanswered);
    }

    [Fact]
    public void A_question_nothing_answers_is_said_so_and_the_same_memory_is_cited_once()
    {
        var fact = M("The office opens at 9.", 1);
        var answer = ExtractiveAnswerer.Compose(["When does the office open", "What time does the office open", "Who owns the boat"], [[fact], [fact], []]);
        Assert.Single(answer.Cited);
        Assert.Equal(1, answer.Unanswered);
        Assert.Contains("Nothing in memory answers \"Who owns the boat\"", answer.Text);
    }

    [Fact]
    public void Merging_keeps_the_parts_order_and_cites_each_memory_once()
    {
        var a = M("A is done.", 1);
        var b = M("B is done.", 1);
        var merged = ExtractiveAnswerer.Merge([[a], [a, b]]);
        Assert.Equal([a, b], merged.Cited);
        Assert.Equal("A is done. [1] B is done. [2]", merged.Text);
    }
}
