using System.Runtime.InteropServices;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// The CUDA driver API and NVRTC entry points the routed reader uses, bound by <see cref="CudaLibraries"/>.
/// Every call returns a result code (0 = success) that callers pass to <see cref="CudaCheck"/>.
/// </summary>
internal static class CudaNative
{
    // Driver API (CUresult = int; CUdevice = int; CUcontext, CUmodule, CUfunction = handles; CUdeviceptr = 64-bit).
    [DllImport(CudaLibraries.Driver)] public static extern int cuInit(uint flags);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDriverGetVersion(out int version);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDeviceGetCount(out int count);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDeviceGetAttribute(out int value, int attribute, int device);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport(CudaLibraries.Driver)] public static extern int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [DllImport(CudaLibraries.Driver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static extern int cuDevicePrimaryCtxRelease(int device);
    [DllImport(CudaLibraries.Driver)] public static extern int cuCtxSetCurrent(IntPtr context);
    [DllImport(CudaLibraries.Driver)] public static extern int cuCtxSynchronize();
    [DllImport(CudaLibraries.Driver)] public static extern int cuModuleLoadData(out IntPtr module, byte[] image);
    [DllImport(CudaLibraries.Driver)] public static extern int cuModuleUnload(IntPtr module);
    [DllImport(CudaLibraries.Driver)] public static extern int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
    [DllImport(CudaLibraries.Driver, EntryPoint = "cuMemAlloc_v2")] public static extern int cuMemAlloc(out ulong pointer, nuint bytes);
    [DllImport(CudaLibraries.Driver, EntryPoint = "cuMemFree_v2")] public static extern int cuMemFree(ulong pointer);
    [DllImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyHtoD_v2")] public static extern int cuMemcpyHtoD(ulong destination, IntPtr source, nuint bytes);
    [DllImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyDtoH_v2")] public static extern int cuMemcpyDtoH(IntPtr destination, ulong source, nuint bytes);
    [DllImport(CudaLibraries.Driver)]
    public static extern int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, IntPtr stream, IntPtr kernelParams, IntPtr extra);

    // NVRTC (nvrtcResult = int; nvrtcProgram = handle).
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcVersion(out int major, out int minor);
    [DllImport(CudaLibraries.Nvrtc)]
    public static extern int nvrtcCreateProgram(out IntPtr program, string source, string name, int headerCount, IntPtr headers, IntPtr includeNames);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcCompileProgram(IntPtr program, int optionCount, string[] options);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetProgramLogSize(IntPtr program, out nuint size);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetProgramLog(IntPtr program, byte[] log);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetCUBINSize(IntPtr program, out nuint size);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetCUBIN(IntPtr program, byte[] cubin);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetPTXSize(IntPtr program, out nuint size);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcGetPTX(IntPtr program, byte[] ptx);
    [DllImport(CudaLibraries.Nvrtc)] public static extern int nvrtcDestroyProgram(ref IntPtr program);

    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
}
