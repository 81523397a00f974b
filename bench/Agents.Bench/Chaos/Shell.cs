using System.Diagnostics;

namespace Agents.Bench.Chaos;

/// <summary>Runs a command to its end and returns its exit code and output (stdout, then stderr).</summary>
internal static class Shell
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, string? directory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(20));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end in time");
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit code is an error carrying the output.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> args, string? directory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var list = args.ToList();
        var (code, output) = await RunAsync(file, list, directory, environment, timeout, cancellationToken);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', list)} exited {code}:\n{output}");
        return output;
    }
}
