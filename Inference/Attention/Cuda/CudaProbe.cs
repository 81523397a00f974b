using System.Text;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// Finds out whether the CUDA path can run: the driver library, NVRTC, <c>cuInit</c>, a device. Any
/// missing piece means the CPU path, with the reason. The library loader is injectable for tests.
/// </summary>
public sealed class CudaProbe(NativeLibraryProbe libraries)
{
    public CudaProbe() : this(NativeLibraryProbe.System) { }

    public CudaDeviceInfo Probe()
    {
        var driver = libraries.Probe(CudaLibraries.DriverCandidates);
        if (!driver.Found) return CudaDeviceInfo.Unavailable(driver.Describe("the CUDA driver library"));
        var nvrtc = libraries.Probe(CudaLibraries.NvrtcCandidates);
        if (!nvrtc.Found) return CudaDeviceInfo.Unavailable(nvrtc.Describe("the NVRTC library"));
        if (CudaLibraries.Bind(driver, nvrtc) is { } bindError) return CudaDeviceInfo.Unavailable(bindError);
        try
        {
            var init = CudaNative.cuInit(0);
            if (init != 0) return CudaDeviceInfo.Unavailable($"cuInit failed: {CudaErrors.DescribeDriver(init)}");
            CudaCheck.Driver(CudaNative.cuDeviceGetCount(out var count), "cuDeviceGetCount");
            if (count == 0) return CudaDeviceInfo.Unavailable("the CUDA driver reports no device");
            CudaCheck.Driver(CudaNative.cuDeviceGet(out var device, 0), "cuDeviceGet");
            CudaCheck.Driver(CudaNative.cuDeviceGetAttribute(out var major, CudaNative.AttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
            CudaCheck.Driver(CudaNative.cuDeviceGetAttribute(out var minor, CudaNative.AttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
            var name = new byte[256];
            CudaCheck.Driver(CudaNative.cuDeviceGetName(name, name.Length, device), "cuDeviceGetName");
            var deviceName = Encoding.ASCII.GetString(name).TrimEnd('\0');
            return new CudaDeviceInfo(true, $"{deviceName} (sm_{major}{minor}) via {driver.Name} and {nvrtc.Name}", device, deviceName, major, minor);
        }
        catch (CudaException e)
        {
            return CudaDeviceInfo.Unavailable(e.Message);
        }
        catch (EntryPointNotFoundException e)
        {
            return CudaDeviceInfo.Unavailable($"the CUDA libraries lack an entry point: {e.Message}");
        }
    }
}
