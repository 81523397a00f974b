using Agents.Inference.Attention;

namespace Agents.Tests.Unit.Attention;

/// <summary>
/// Inserts, updates and deletes against a filled reader, checked through reads only: a deleted id is never
/// returned, an updated memory is found at its new place and not its old one, a new one is found.
/// Ids of the filled bank are 1000 + row of <c>keys</c>.
/// </summary>
internal static class MutationScenario
{
    public static void Run(IMemoryReader reader, TestVectors data, float[] keys, int d)
    {
        var n = keys.Length / d;
        var result = new ReadResult(1, 10, reader.ValueDimension);
        var options = new ReadOptions(10, Probes: 8);

        // Delete: querying with a deleted memory's own key never returns it.
        var deleted = Enumerable.Range(0, 200).Select(_ => 1000L + data.Next(n)).Distinct().ToArray();
        foreach (var id in deleted) Assert.True(reader.Delete(id));
        Assert.False(reader.Delete(deleted[0]));
        Assert.Equal(n - deleted.Length, reader.Count);
        foreach (var id in deleted.Take(50))
        {
            Assert.False(reader.Contains(id));
            reader.Read(keys.AsSpan((int)(id - 1000) * d, d), options, result);
            Assert.DoesNotContain(id, result.Ids(0).ToArray());
        }

        // Update: the memory is found at its new key, top-1, and no longer near its old one.
        var fresh = data.Gaussian(50, d, 1f);
        var updated = Enumerable.Range(0, n).Select(i => 1000L + i).Except(deleted).Take(50).ToArray();
        for (var i = 0; i < updated.Length; i++) reader.Update(updated[i], fresh.AsSpan(i * d, d));
        for (var i = 0; i < updated.Length; i++)
        {
            reader.Read(fresh.AsSpan(i * d, d), options, result);
            Assert.Equal(updated[i], result.Ids(0)[0]);
            Assert.Equal(1f, result.Scores(0)[0], 4);
            reader.Read(keys.AsSpan((int)(updated[i] - 1000) * d, d), options, result);
            // The old key is gone: the memory is not found there as an exact match. (Its new random key may
            // still be the old key's nearest neighbour by chance, about once in a few hundred runs.)
            Assert.False(result.Ids(0)[0] == updated[i] && result.Scores(0)[0] > 0.9999f, $"{updated[i]} still answers its old key exactly");
        }

        // Insert: new memories are found at once, one at a time and in a batch.
        var added = data.Gaussian(300, d, 1f);
        for (var i = 0; i < 100; i++) reader.Insert(900_000 + i, added.AsSpan(i * d, d));
        reader.InsertRange(Enumerable.Range(100, 200).Select(i => 900_000L + i).ToArray(), added.AsSpan(100 * d));
        for (var i = 0; i < 300; i += 7)
        {
            reader.Read(added.AsSpan(i * d, d), options, result);
            Assert.Equal(900_000 + i, result.Ids(0)[0]);
        }
        Assert.Equal(n - deleted.Length + 300, reader.Count);

        // Re-inserting a deleted id is allowed and finds it again.
        reader.Insert(deleted[0], added.AsSpan(0, d));
        var two = new ReadResult(1, 2, reader.ValueDimension);
        reader.Read(added.AsSpan(0, d), new ReadOptions(2, Probes: 8), two);
        Assert.Equal(new[] { deleted[0], 900_000L }.ToHashSet(), two.Ids(0).ToArray().ToHashSet());
    }
}
