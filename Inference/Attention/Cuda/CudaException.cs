namespace Agents.Inference.Attention.Cuda;

/// <summary>A CUDA driver or NVRTC call failed: names the call and the code.</summary>
public sealed class CudaException(string call, int code, string description, string? log = null)
    : Exception($"{call} failed: {description}{(string.IsNullOrEmpty(log) ? "" : Environment.NewLine + log)}")
{
    public string Call { get; } = call;
    public int Code { get; } = code;

    /// <summary>The NVRTC compile log, when the failure was a compilation.</summary>
    public string? Log { get; } = log;
}
