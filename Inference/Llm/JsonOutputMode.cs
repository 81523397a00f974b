namespace Agents.Inference.Llm;

/// <summary>How a structured chat asks the endpoint to constrain its answer.</summary>
public enum JsonOutputMode
{
    /// <summary>No response_format: for servers that reject it; the prompt and tolerant parsing carry the load.</summary>
    None,

    /// <summary><c>response_format: {"type":"json_object"}</c>: supported by OpenAI, vLLM, Ollama and llama.cpp server.</summary>
    JsonObject,

    /// <summary><c>response_format: {"type":"json_schema"}</c> with the schema of the expected type (OpenAI, vLLM guided decoding).</summary>
    JsonSchema,
}
