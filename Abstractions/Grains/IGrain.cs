namespace Agents.Abstractions;

/// <summary>Marker for grain interfaces. Every method of a grain interface returns
/// <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key, e.g. <c>factory.Get&lt;IAgentGrain&gt;("alice")</c>.</summary>
public interface IGrainWithStringKey : IGrain;
