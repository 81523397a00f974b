using Agents.Memory.Agents;

namespace Agents.Tests.Unit.Answering;

public sealed class AnswerTypeTests
{
    [Theory]
    [InlineData("When is the Aurora launch", AnswerType.Time)]
    [InlineData("What date does Aurora go live", AnswerType.Time)]
    [InlineData("Where does the launch take place", AnswerType.Place)]
    [InlineData("Who presents the roadmap", AnswerType.Person)]
    [InlineData("how much money was set aside for it", AnswerType.Quantity)]
    [InlineData("What is its budget", AnswerType.Quantity)]
    [InlineData("How many people build Aurora", AnswerType.Count)]
    [InlineData("What does the app do", null)]
    public void The_question_word_says_what_kind_of_answer_is_wanted(string question, string? type) => Assert.Equal(type, AnswerType.Of(question));

    [Theory]
    [InlineData("The Aurora launch is set for 14 March in Lisbon.", AnswerType.Time, true)]
    [InlineData("The Aurora launch is set for 14 March in Lisbon.", AnswerType.Place, true)]
    [InlineData("The Aurora launch is set for 14 March in Lisbon.", AnswerType.Quantity, false)]
    [InlineData("Aurora's launch budget is 40,000 euros, approved by finance in January.", AnswerType.Place, false)]
    [InlineData("Aurora's launch budget is 40,000 euros, approved by finance in January.", AnswerType.Quantity, true)]
    [InlineData("Press kits go to twelve technology journalists.", AnswerType.Quantity, true)]
    [InlineData("Maya ordered 3 lamps for the office.", AnswerType.Quantity, true)]
    [InlineData("Aurora runs on Linux, macOS and Windows.", AnswerType.Time, false)]
    [InlineData("The review is every Tuesday at 10:00.", AnswerType.Time, true)]
    public void A_memory_holds_a_kind_of_answer_or_not(string memory, string type, bool holds) => Assert.Equal(holds, AnswerType.Holds(memory, type));

    [Theory]
    [InlineData("The launch is set for 14 March.", AnswerType.Time, 1.0)]
    [InlineData("The budget was approved in January.", AnswerType.Time, 0.5)]
    [InlineData("The budget is 40,000 euros.", AnswerType.Quantity, 1.0)]
    [InlineData("Press kits go to twelve journalists.", AnswerType.Quantity, 0.5)]
    [InlineData("The app syncs offline.", AnswerType.Quantity, 0.0)]
    [InlineData("The Aurora team has six engineers and one designer.", AnswerType.Count, 1.0)]
    [InlineData("Maya ordered 3 lamps for the office.", AnswerType.Count, 1.0)]
    [InlineData("Aurora's budget is 40,000 euros.", AnswerType.Count, 0.5)]
    public void A_specific_answer_is_stronger_than_a_vague_one(string memory, string type, double strength) =>
        Assert.Equal(strength, AnswerType.Strength(memory, type));

    [Theory]
    [InlineData("Aurora's press kit is being written by Maya.", true)]
    [InlineData("The Aurora team has six engineers and one designer.", false)]
    public void A_name_the_question_mentions_does_not_answer_who(string memory, bool holds) =>
        Assert.Equal(holds, AnswerType.Holds(memory, AnswerType.Person, "Who is preparing the media materials for Aurora?"));
}
