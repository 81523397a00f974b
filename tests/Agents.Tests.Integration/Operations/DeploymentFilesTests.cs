using System.Diagnostics;
using Xunit.Abstractions;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// The deployment files are valid: docker-compose.yml as Compose reads it (with and without the llm
/// profile, and as infra/compose.sh renders it for a machine without an NVIDIA runtime), and the
/// Kubernetes manifests against the Kubernetes schemas (infra/k8s/check.sh). test.sh installs
/// docker-compose and a Docker engine; node and npm come with the machine.
/// </summary>
public sealed class DeploymentFilesTests(ITestOutputHelper output)
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task Compose_reads_the_cluster_file_with_and_without_the_llm_profile()
    {
        var plain = await RunAsync("docker-compose", "-f", "docker-compose.yml", "config");
        Assert.True(plain.Code == 0, plain.Output);
        foreach (var service in new[] { "postgres:", "silo1:", "silo2:", "gpu:" }) Assert.Contains($"\n  {service}", plain.Output);
        Assert.Matches(@"\n  ollama:\n(    .*\n)*    profiles:\n    - llm\n", plain.Output);   // the model server only with --profile llm
        Assert.Contains("Agents__Silo__Roles: gpu", plain.Output);
        Assert.Contains("driver: nvidia", plain.Output);
        Assert.DoesNotMatch(@"- (0\.0\.0\.0:)?\d+:\d+", plain.Output);   // every published port is on 127.0.0.1
        // PostgreSQL with buffers for the memory tables and room for parallel index builds, not the defaults.
        Assert.Contains("- shared_buffers=1GB", plain.Output);
        Assert.Contains("- maintenance_work_mem=512MB", plain.Output);
        Assert.Contains("shm_size: 1g", plain.Output);
        var llm = await RunAsync("docker-compose", "-f", "docker-compose.yml", "--profile", "llm", "config", "-q");
        Assert.True(llm.Code == 0, llm.Output);
    }

    [Fact]
    public async Task Compose_script_renders_a_valid_file_without_the_device_reservation_where_no_NVIDIA_runtime_is()
    {
        var rendered = Path.Combine(Path.GetTempPath(), $"agents-compose-{Guid.NewGuid():N}.yml");
        try
        {
            var render = await RunAsync("infra/compose.sh", ["--render", rendered], ("AGENTS_COMPOSE_BUILD", "0"));
            Assert.True(render.Code == 0, render.Output);
            var config = await RunAsync("docker-compose", "-f", rendered, "config", "-q");
            Assert.True(config.Code == 0, config.Output);
            var text = await File.ReadAllTextAsync(rendered);
            Assert.Contains("Agents__Silo__Roles: gpu", text);
            if (!render.Output.Contains("no NVIDIA runtime", StringComparison.Ordinal)) return;   // a machine with one keeps the reservation
            Assert.DoesNotContain("driver: nvidia", text);
        }
        finally
        {
            File.Delete(rendered);
        }
    }

    [Fact]
    public async Task Kubernetes_manifests_pass_the_schema_check()
    {
        var check = await RunAsync("infra/k8s/check.sh");
        Assert.True(check.Code == 0, check.Output);
        Assert.Matches(@"k8s: \d+ objects in \d+ files against the Kubernetes schemas, 0 problems", check.Output);
        // The StatefulSet's PostgreSQL is sized as compose's is (buffers, index builds' /dev/shm).
        var postgres = await File.ReadAllTextAsync(Path.Combine(Root, "infra/k8s/postgres.yaml"));
        Assert.Contains("\"shared_buffers=1GB\"", postgres);
        Assert.Matches(@"- name: shm\n\s+mountPath: /dev/shm", postgres);
        Assert.Matches(@"emptyDir:\n\s+medium: Memory", postgres);
    }

    [Fact]
    public async Task The_schema_check_rejects_a_broken_manifest()
    {
        var dir = Directory.CreateTempSubdirectory("agents-k8s-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "infra/k8s"), "*.yaml")) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            var silo = Path.Combine(dir, "silo.yaml");
            await File.WriteAllTextAsync(silo, (await File.ReadAllTextAsync(silo)).Replace("replicas: 2", "replicas: two", StringComparison.Ordinal).Replace("port: http\n", "port: htp\n", StringComparison.Ordinal));
            await RunAsync("infra/k8s/check.sh");   // installs the checker's packages if needed
            var check = await RunAsync("node", Path.Combine(Root, "infra/k8s/check/validate.mjs"), dir);
            Assert.NotEqual(0, check.Code);
            Assert.Contains("replicas must be integer", check.Output);
            Assert.Contains("names port htp", check.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private Task<(int Code, string Output)> RunAsync(string file, params string[] args) => RunAsync(file, args, []);

    private async Task<(int Code, string Output)> RunAsync(string file, string[] args, params (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file.Contains('/') ? Path.Combine(Root, file) : file)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        output.WriteLine($"$ {file} {string.Join(' ', args)} -> {process.ExitCode}\n{(text.Length > 4000 ? text[..4000] : text)}");
        return (process.ExitCode, text);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")) && Directory.Exists(Path.Combine(dir.FullName, "infra/k8s"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (docker-compose.yml) was not found above the test's directory");
    }
}
