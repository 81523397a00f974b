using System.Collections.Concurrent;

namespace Agents.Memory.Stores.Text;

/// <summary>
/// Porter stems of words seen before, found by the word's characters without making a string of them: a
/// text's words repeat (a vocabulary is far smaller than what is written in it), and every write analyses
/// its texts on the way to the store. Bounded: past <see cref="MaxEntries"/> words, new ones are stemmed
/// without being kept.
/// </summary>
internal static class StemCache
{
    public const int MaxEntries = 200_000;

    private static readonly ConcurrentDictionary<string, string> Stems = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Stems.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int _entries; // ConcurrentDictionary.Count takes every lock

    /// <summary>The stem of a lower-cased word (<see cref="PorterStemmer.Stem"/>).</summary>
    public static string Stem(ReadOnlySpan<char> lowerWord)
    {
        if (ByChars.TryGetValue(lowerWord, out var stem)) return stem;
        var word = lowerWord.ToString();
        stem = PorterStemmer.Stem(word);
        if (Volatile.Read(ref _entries) < MaxEntries && Stems.TryAdd(word, stem)) Interlocked.Increment(ref _entries);
        return stem;
    }
}
