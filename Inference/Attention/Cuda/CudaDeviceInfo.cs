namespace Agents.Inference.Attention.Cuda;

/// <summary>What the probe found: whether the CUDA path can run, on which device, or why not.</summary>
/// <param name="Available">True when the driver, NVRTC and a device are all there.</param>
/// <param name="Reason">A one-line description of the choice (device and libraries, or why the CPU is used).</param>
public sealed record CudaDeviceInfo(bool Available, string Reason, int Ordinal = 0, string? Name = null, int Major = 0, int Minor = 0)
{
    public static CudaDeviceInfo Unavailable(string reason) => new(false, reason);
}
