using Agents.Memory.Model;

namespace Agents.Memory.Stores.Text;

/// <summary>A record's two texts as both stores index them: its search text (<see cref="MemorySearchText"/>)
/// and its content, each analysed once per write.</summary>
public sealed record RecordText(AnalyzedText Search, AnalyzedText Content)
{
    public static RecordText Of(MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(TextAnalyzer.Analyze(MemorySearchText.Compose(record)), TextAnalyzer.Analyze(record.Content));
    }
}
