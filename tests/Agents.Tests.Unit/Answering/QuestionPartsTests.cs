using Agents.Memory.Agents;

namespace Agents.Tests.Unit.Answering;

public sealed class QuestionPartsTests
{
    [Fact]
    public void A_task_is_split_into_its_questions_and_a_part_without_names_borrows_the_previous_ones()
    {
        Assert.Equal(["When is the Aurora launch", "what is its budget (Aurora)"], QuestionParts.Split("When is the Aurora launch and what is its budget?"));
        Assert.Equal(["Which hotel is booked for the Lisbon offsite", "When does the team fly out", "Who presents it (Lisbon)"],
            QuestionParts.Split("Which hotel is booked for the Lisbon offsite? When does the team fly out? Who presents it (Lisbon)?"));
        Assert.Equal(["Which hotel is booked for the Lisbon offsite", "When does the team fly out"], QuestionParts.Split("Which hotel is booked for the Lisbon offsite? When does the team fly out?"));
    }

    [Fact]
    public void And_between_names_does_not_split()
    {
        Assert.Equal(["Who moved from Lisbon and Porto to Oslo"], QuestionParts.Split("Who moved from Lisbon and Porto to Oslo?"));
        Assert.Equal(["Summarise the launch plan"], QuestionParts.Split("Summarise the launch plan."));
    }

    [Fact]
    public void At_most_eight_parts_the_rest_joined()
    {
        var task = string.Join(" ", Enumerable.Range(1, 12).Select(i => $"What is item {i}?"));
        var parts = QuestionParts.Split(task);
        Assert.Equal(QuestionParts.MaxParts, parts.Count);
        Assert.Contains("item 12", parts[^1]);
    }
}
