using System.Runtime.InteropServices;

namespace Agents.Inference.Attention.Cuda;

/// <summary>The outcome of looking for a native library under its candidate file names.</summary>
/// <param name="Handle">The loaded library, or zero.</param>
/// <param name="Name">The file name that loaded, or null.</param>
/// <param name="Tried">Every file name tried, in order.</param>
public sealed record NativeLibraryProbeResult(IntPtr Handle, string? Name, IReadOnlyList<string> Tried)
{
    public bool Found => Handle != IntPtr.Zero;

    /// <summary>Why nothing loaded (for the log line that explains the CPU fallback).</summary>
    public string Describe(string what) => Found ? $"{what}: {Name}" : $"{what} not found (tried {string.Join(", ", Tried)})";
}

/// <summary>
/// Tries a library's candidate file names in order (e.g. <c>libnvrtc.so.13</c>, <c>.12</c>, unversioned).
/// The loader is injectable so the search and the fallback are testable without the libraries.
/// </summary>
public sealed class NativeLibraryProbe(Func<string, IntPtr> tryLoad)
{
    /// <summary>Loads with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>.</summary>
    public static NativeLibraryProbe System { get; } = new(static name => NativeLibrary.TryLoad(name, out var handle) ? handle : IntPtr.Zero);

    public NativeLibraryProbeResult Probe(IReadOnlyList<string> candidates)
    {
        var tried = new List<string>(candidates.Count);
        foreach (var name in candidates)
        {
            tried.Add(name);
            var handle = tryLoad(name);
            if (handle != IntPtr.Zero) return new NativeLibraryProbeResult(handle, name, tried);
        }
        return new NativeLibraryProbeResult(IntPtr.Zero, null, tried);
    }
}
