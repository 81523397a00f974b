using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;

namespace Agents.Tests.Unit.Memory;

public sealed class AddIdempotencyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_same_add_derives_the_same_key_and_any_difference_another()
    {
        ConversationTurn[] turns = [new("alice", "I moved to Lisbon.")];
        var key = AddIdempotency.DeriveKey(turns, T0, ["m1"]);
        Assert.Equal(key, AddIdempotency.DeriveKey([new("alice", "I moved to Lisbon.")], T0, ["m1"]));
        Assert.NotEqual(key, AddIdempotency.DeriveKey(turns, T0.AddTicks(1), ["m1"]));
        Assert.NotEqual(key, AddIdempotency.DeriveKey([new("bob", "I moved to Lisbon.")], T0, ["m1"]));
        Assert.NotEqual(key, AddIdempotency.DeriveKey(turns, T0, ["m2"]));
        // Parts are length-prefixed: moving text between speaker and content changes the key.
        Assert.NotEqual(AddIdempotency.DeriveKey([new("ab", "c")], T0, []), AddIdempotency.DeriveKey([new("a", "bc")], T0, []));
    }

    [Fact]
    public void Ids_depend_on_the_scope_and_the_key_only()
    {
        var alice = MemoryScope.ForUser("alice");
        Assert.Equal(AddIdempotency.EpisodeId(alice, "k"), AddIdempotency.EpisodeId(MemoryScope.ForUser("alice"), "k"));
        Assert.NotEqual(AddIdempotency.EpisodeId(alice, "k"), AddIdempotency.EpisodeId(MemoryScope.ForUser("bob"), "k"));
        Assert.NotEqual(AddIdempotency.EpisodeId(alice, "k"), AddIdempotency.EpisodeId(MemoryScope.ForAgent("alice"), "k"));
        Assert.NotEqual(AddIdempotency.EpisodeId(alice, "k"), AddIdempotency.EpisodeId(alice, "k2"));
        var episode = AddIdempotency.EpisodeId(alice, "k");
        Assert.NotEqual(AddIdempotency.NoteId(episode, 0), AddIdempotency.NoteId(episode, 1));
        Assert.Equal(8, episode.Version);
    }
}
