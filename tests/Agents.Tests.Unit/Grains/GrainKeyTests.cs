using Agents.Abstractions.Memory;

namespace Agents.Tests.Unit.Grains;

public sealed class GrainKeyTests
{
    [Fact]
    public void Scope_keys_round_trip_and_escape_their_separators()
    {
        var scope = new ScopeRef("acme;t=x", UserId: "alice;u=bob", RunId: "r/1");
        var key = scope.ToGrainKey();
        Assert.Equal(scope, ScopeRef.FromGrainKey(key));
        Assert.NotEqual(new ScopeRef("acme", UserId: "alice").ToGrainKey(), new ScopeRef("acme", AgentId: "alice").ToGrainKey());
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=a;u=b")]
    [InlineData("x=a;u-;a-;r-;g-")]
    public void Malformed_scope_keys_are_refused(string key) => Assert.Throws<FormatException>(() => ScopeRef.FromGrainKey(key));

    [Fact]
    public void Agent_keys_round_trip_and_an_agents_own_scope_is_not_inside_its_team_scope()
    {
        var agent = new AgentKey("acme", "team/one", "writer");
        Assert.Equal(agent, AgentKey.Parse(agent.ToString()));
        Assert.Null(agent.AgentScope.TeamId);
        Assert.Equal("team/one", agent.TeamScope.TeamId);
        Assert.Throws<FormatException>(() => AgentKey.Parse("acme/writer"));
    }

    [Fact]
    public void Two_agents_whose_team_and_name_join_to_the_same_text_get_two_scopes()
    {
        var first = new AgentKey("acme", "a/b", "c");
        var second = new AgentKey("acme", "a", "b/c");
        Assert.NotEqual(first.AgentScope, second.AgentScope);
        Assert.NotEqual(first.AgentScope.ToGrainKey(), second.AgentScope.ToGrainKey());
        Assert.NotEqual(first.ToString(), second.ToString());
    }
}
