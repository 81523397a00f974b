using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;

namespace Agents.IngestCrash;

/// <summary>What the crash process adds, shared with the test that checks the outcome.</summary>
public static class IngestCrashScript
{
    public const int Dimension = 384;
    public static readonly DateTimeOffset Start = new(2023, 5, 8, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] Speakers = ["Ann", "Bo"];
    private static readonly string[] Sentences =
    [
        "I adopted a golden retriever named {0}.", "{0} loves the beach near Lisbon.", "I moved to Lisbon for a design job at {0}.",
        "My job at {0} starts on Monday.", "{0} and I walk along the river every morning.", "I bake sourdough bread for {0} every Saturday.",
        "My sister {0} lives in Porto now.", "We visited {0} in Sintra last weekend.", "I started learning the guitar with {0}.",
        "{0} recommended a book about Portuguese history.",
    ];
    private static readonly string[] Names = ["Biscuit", "Acme", "Maria", "Pedro", "Luna", "Tiago", "Rosa"];

    /// <summary>Turn <paramref name="i"/> of the scripted conversation (deterministic).</summary>
    public static AddMemoryRequest Turn(MemoryScope scope, int i) =>
        new(scope, [new ConversationTurn(Speakers[i % 2], string.Format(System.Globalization.CultureInfo.InvariantCulture, Sentences[i % Sentences.Length], Names[(i * 3) % Names.Length]))],
            Start.AddMinutes(i)) { Sources = [$"T{i}"] };
}
