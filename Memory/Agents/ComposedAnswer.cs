namespace Agents.Memory.Agents;

/// <summary>An answer put together from memories: its text, with [n] markers pointing into <see cref="Cited"/>.</summary>
public sealed record ComposedAnswer(string Text, IReadOnlyList<RecalledMemory> Cited, int Unanswered);
