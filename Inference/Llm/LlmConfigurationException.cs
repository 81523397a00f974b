namespace Agents.Inference.Llm;

/// <summary>The LLM endpoint settings cannot be used as given.</summary>
public sealed class LlmConfigurationException(string message) : Exception(message);
