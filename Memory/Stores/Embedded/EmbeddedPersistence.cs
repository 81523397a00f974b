using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// The embedded store's files: a snapshot (whole state, replaced atomically: write a temporary file,
/// flush, rename over the old one) and a journal (one JSON line per committed change, appended and
/// flushed before the change is acknowledged). Loading reads the snapshot then replays the journal;
/// a torn last line (a crash mid-append, never acknowledged) is dropped.
/// </summary>
internal sealed class EmbeddedPersistence : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _snapshotPath;
    private readonly string _journalPath;
    private readonly bool _flushToDisk;
    private readonly ILogger _logger;
    private FileStream? _journal;

    public EmbeddedPersistence(string snapshotPath, bool flushToDisk, ILogger logger)
    {
        _snapshotPath = Path.GetFullPath(snapshotPath);
        _journalPath = _snapshotPath + ".journal";
        _flushToDisk = flushToDisk;
        _logger = logger;
        var directory = Path.GetDirectoryName(_snapshotPath);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
    }

    public int JournalEntries { get; private set; }

    /// <summary>Reads the snapshot (if any) and the journal's complete lines.</summary>
    public (EmbeddedSnapshot? Snapshot, List<JournalEntry[]> Journal) Load()
    {
        EmbeddedSnapshot? snapshot = null;
        if (File.Exists(_snapshotPath))
        {
            using var stream = File.OpenRead(_snapshotPath);
            snapshot = JsonSerializer.Deserialize<EmbeddedSnapshot>(stream, Json)
                ?? throw new InvalidDataException($"Memory snapshot '{_snapshotPath}' is empty.");
            if (snapshot.Format != EmbeddedSnapshot.CurrentFormat)
                throw new InvalidDataException($"Memory snapshot '{_snapshotPath}' has format {snapshot.Format}; this build reads {EmbeddedSnapshot.CurrentFormat}.");
        }
        var journal = new List<JournalEntry[]>();
        long validLength = 0;
        if (File.Exists(_journalPath))
        {
            var bytes = File.ReadAllBytes(_journalPath);
            var start = 0;
            while (start < bytes.Length)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', start);
                if (end < 0)
                {
                    _logger.LogWarning("Dropping a torn last journal line of {Bytes} bytes in {Journal} (a write that was never acknowledged)", bytes.Length - start, _journalPath);
                    break;
                }
                var line = bytes.AsSpan(start, end - start);
                JournalEntry[]? entries;
                try
                {
                    entries = JsonSerializer.Deserialize<JournalEntry[]>(line, Json);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"Memory journal '{_journalPath}' is corrupt at byte {start}: {e.Message}", e);
                }
                if (entries is not null) journal.Add(entries);
                start = end + 1;
                validLength = start;
            }
            if (validLength < bytes.Length)
            {
                using var truncate = new FileStream(_journalPath, FileMode.Open, FileAccess.Write);
                truncate.SetLength(validLength);
            }
        }
        JournalEntries = journal.Count;
        return (snapshot, journal);
    }

    /// <summary>Appends one committed change (one line) and flushes it.</summary>
    public void Append(IReadOnlyList<JournalEntry> entries)
    {
        _journal ??= new FileStream(_journalPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        var line = JsonSerializer.SerializeToUtf8Bytes(entries, Json);
        var position = _journal.Position;
        try
        {
            _journal.Write(line);
            _journal.WriteByte((byte)'\n');
            _journal.Flush(_flushToDisk);
        }
        catch
        {
            // Leave no partial line behind a failed append: the change is refused as a whole.
            try { _journal.SetLength(position); } catch (IOException) { }
            throw;
        }
        JournalEntries++;
    }

    /// <summary>Writes the whole state as the new snapshot, atomically, then empties the journal.</summary>
    public void WriteSnapshot(EmbeddedSnapshot snapshot)
    {
        var temporary = _snapshotPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            JsonSerializer.Serialize(stream, snapshot, Json);
            stream.Flush(true);
        }
        File.Move(temporary, _snapshotPath, overwrite: true);
        // The journal's entries are all in the snapshot now; replaying them again would be harmless.
        _journal?.Dispose();
        _journal = null;
        using (new FileStream(_journalPath, FileMode.Create, FileAccess.Write)) { }
        JournalEntries = 0;
    }

    public void Dispose()
    {
        _journal?.Dispose();
        _journal = null;
    }
}
