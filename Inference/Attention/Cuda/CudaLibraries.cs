using System.Reflection;
using System.Runtime.InteropServices;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// Binds the logical library names of <see cref="CudaNative"/> ("cuda", "nvrtc") to the files found on
/// this machine, through <see cref="NativeLibrary.SetDllImportResolver"/> (registered once per process).
/// </summary>
public static class CudaLibraries
{
    public const string Driver = "cuda";
    public const string Nvrtc = "nvrtc";

    /// <summary>The driver API: <c>libcuda.so.1</c> is what the driver installs (the unversioned name needs the dev package).</summary>
    public static IReadOnlyList<string> DriverCandidates { get; } =
        OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    /// <summary>NVRTC of CUDA 13, then 12, then whatever is unversioned.</summary>
    public static IReadOnlyList<string> NvrtcCandidates { get; } =
        OperatingSystem.IsWindows() ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll"] : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"];

    private static readonly Lock Gate = new();
    private static IntPtr _driver;
    private static IntPtr _nvrtc;
    private static bool _resolverSet;

    /// <summary>
    /// Makes the found libraries the targets of the DllImports. Returns null on success, else why not
    /// (another component already owns this assembly's resolver).
    /// </summary>
    internal static string? Bind(NativeLibraryProbeResult driver, NativeLibraryProbeResult nvrtc)
    {
        lock (Gate)
        {
            _driver = driver.Handle;
            _nvrtc = nvrtc.Handle;
            if (_resolverSet) return null;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
                _resolverSet = true;
                return null;
            }
            catch (InvalidOperationException e)
            {
                return $"the DllImport resolver of {typeof(CudaLibraries).Assembly.GetName().Name} is already set: {e.Message}";
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name switch
    {
        Driver => _driver,
        Nvrtc => _nvrtc,
        _ => IntPtr.Zero, // anything else: the default search
    };
}
