using Agents.Inference.Attention;
using Agents.Memory.Attention;
using Agents.Memory.Model;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Attention;

/// <summary>Two silos over one PostgreSQL store: a bank follows writes made through the other silo.</summary>
public sealed class BankRefreshTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static MemoryRecord Note(MemoryScope scope, string text, float[] embedding) => new()
    {
        Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = text, Embedding = embedding,
    };

    private static float[] Unit(int hot)
    {
        var v = new float[384];
        v[hot] = 1;
        return v;
    }

    [Fact]
    public async Task A_stale_bank_is_reconciled_with_writes_and_deletes_made_elsewhere()
    {
        var scope = MemoryScope.ForTeam($"t{Guid.NewGuid():N}");
        var otherSilo = new PostgresMemoryStore(db.DataSource);
        var thisSilo = new BankSyncedMemoryStore(new PostgresMemoryStore(db.DataSource), d => new ExactMemoryReader(d), refreshAfter: TimeSpan.Zero);
        var neverRefreshed = new BankSyncedMemoryStore(new PostgresMemoryStore(db.DataSource), d => new ExactMemoryReader(d), refreshAfter: null);

        var first = await thisSilo.AddAsync(Note(scope, "first", Unit(1)), "test");
        var bank = await thisSilo.Banks.GetAsync(scope);
        var frozen = await neverRefreshed.Banks.GetAsync(scope);
        Assert.Equal(1, bank.Count);

        var elsewhere = await otherSilo.AddAsync(Note(scope, "written through another silo", Unit(2)), "test");
        await otherSilo.DeleteAsync(first.Id, "test");
        var local = await thisSilo.AddAsync(Note(scope, "written here", Unit(3)), "test");

        bank = await thisSilo.Banks.GetAsync(scope);
        Assert.Equal(new[] { elsewhere.Id, local.Id }.Order(), bank.SnapshotIds().Order());

        // The control: without refresh the other silo's changes are not seen.
        frozen = await neverRefreshed.Banks.GetAsync(scope);
        Assert.Contains(first.Id, frozen.SnapshotIds());
        Assert.DoesNotContain(elsewhere.Id, frozen.SnapshotIds());
    }
}
