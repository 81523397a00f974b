namespace Agents.Inference.Llm;

/// <summary>The embedding endpoint's answer does not fit what was asked: wrong dimension or wrong count.</summary>
public sealed class LlmEmbeddingException(string message) : Exception(message);
