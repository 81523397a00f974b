using Agents.Inference.Offline;

namespace Agents.Tests.Unit.Offline;

/// <summary>The shipped model's files, read once for the tests.</summary>
internal static class SentenceModelFilesFixture
{
    private static readonly Lazy<SentenceModelFiles> Lazy = new(() => SentenceModelFiles.Load(null));

    public static SentenceModelFiles Files => Lazy.Value;
}
