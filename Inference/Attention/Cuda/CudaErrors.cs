namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// Names and meanings of CUDA driver (<c>CUresult</c>) and NVRTC (<c>nvrtcResult</c>) codes, kept here so
/// an error reads the same whether or not the driver can still be asked (<c>cuGetErrorName</c> needs it).
/// </summary>
public static class CudaErrors
{
    private static readonly Dictionary<int, (string Name, string Meaning)> Driver = new()
    {
        [0] = ("CUDA_SUCCESS", "no error"),
        [1] = ("CUDA_ERROR_INVALID_VALUE", "an argument is out of range"),
        [2] = ("CUDA_ERROR_OUT_OF_MEMORY", "the device is out of memory"),
        [3] = ("CUDA_ERROR_NOT_INITIALIZED", "cuInit has not been called"),
        [4] = ("CUDA_ERROR_DEINITIALIZED", "the driver is shutting down"),
        [34] = ("CUDA_ERROR_STUB_LIBRARY", "the CUDA stub library was loaded instead of the driver"),
        [35] = ("CUDA_ERROR_INSUFFICIENT_DRIVER", "the driver is older than the CUDA runtime"),
        [100] = ("CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is present"),
        [101] = ("CUDA_ERROR_INVALID_DEVICE", "the device ordinal is not a valid device"),
        [200] = ("CUDA_ERROR_INVALID_IMAGE", "the module image is not valid for this device"),
        [201] = ("CUDA_ERROR_INVALID_CONTEXT", "no valid context is current on this thread"),
        [209] = ("CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image for this device's architecture"),
        [218] = ("CUDA_ERROR_INVALID_PTX", "the PTX failed to compile (often: PTX newer than the driver)"),
        [222] = ("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the PTX version is not supported by this driver"),
        [400] = ("CUDA_ERROR_INVALID_HANDLE", "a handle argument is not valid"),
        [500] = ("CUDA_ERROR_NOT_FOUND", "a named symbol (kernel) was not found"),
        [700] = ("CUDA_ERROR_ILLEGAL_ADDRESS", "a kernel accessed an illegal address"),
        [701] = ("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "the launch asked for too many resources"),
        [702] = ("CUDA_ERROR_LAUNCH_TIMEOUT", "the kernel ran too long"),
        [719] = ("CUDA_ERROR_LAUNCH_FAILED", "the kernel failed"),
        [999] = ("CUDA_ERROR_UNKNOWN", "an unknown error"),
    };

    private static readonly string[] Nvrtc =
    [
        "NVRTC_SUCCESS", "NVRTC_ERROR_OUT_OF_MEMORY", "NVRTC_ERROR_PROGRAM_CREATION_FAILURE", "NVRTC_ERROR_INVALID_INPUT",
        "NVRTC_ERROR_INVALID_PROGRAM", "NVRTC_ERROR_INVALID_OPTION", "NVRTC_ERROR_COMPILATION",
        "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE", "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
        "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION", "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID", "NVRTC_ERROR_INTERNAL_ERROR",
    ];

    /// <summary>The CUresult's name and meaning, e.g. "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is present)".</summary>
    public static string DescribeDriver(int code) =>
        Driver.TryGetValue(code, out var e) ? $"{e.Name} ({e.Meaning})" : $"CUresult {code}";

    public static string DescribeNvrtc(int code) =>
        code >= 0 && code < Nvrtc.Length ? Nvrtc[code] : $"nvrtcResult {code}";
}
