namespace Agents.Inference.Attention.Cuda;

/// <summary>Turns result codes into exceptions: every driver and NVRTC call goes through here.</summary>
public static class CudaCheck
{
    public static void Driver(int result, string call)
    {
        if (result != 0) throw new CudaException(call, result, CudaErrors.DescribeDriver(result));
    }

    public static void Nvrtc(int result, string call, string? log = null)
    {
        if (result != 0) throw new CudaException(call, result, CudaErrors.DescribeNvrtc(result), log);
    }
}
