using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace Agents.Silo.WebConsole;

/// <summary>
/// The web console at <c>/</c>: static HTML, CSS and JavaScript embedded in this assembly
/// (<c>Silo/wwwroot</c>), which call the API from the browser with the key the user pastes. The page
/// itself needs no key; <c>/console/examples</c> lists the example workflows (<c>examples/*.yaml</c>).
/// <c>Agents:Http:ConsoleDirectory</c> serves the files from a directory instead (edit them without a rebuild).
/// </summary>
public static class WebConsole
{
    private const string FilesNamespace = "Agents.Silo.wwwroot";
    private const string ExamplesPrefix = "Agents.Silo.examples.";

    // The console renders API data as text only; this policy is the second line: no inline script,
    // no other origin, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Serves the console's files (before authentication: they are public) and the examples.</summary>
    public static WebApplication UseWebConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var directory = app.Configuration["Agents:Http:ConsoleDirectory"];
        IFileProvider files = string.IsNullOrWhiteSpace(directory)
            ? new EmbeddedFileProvider(typeof(WebConsole).Assembly, FilesNamespace)
            : new PhysicalFileProvider(Path.GetFullPath(directory));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";   // revalidate (ETag): a new silo version shows at once
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        app.MapGet("/console/examples", () => Results.Ok(Examples.Value)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>An example workflow: its file name and its YAML.</summary>
    public sealed record Example(string Name, string Yaml);

    private static readonly Lazy<IReadOnlyList<Example>> Examples = new(() => ReadExamples(typeof(WebConsole).Assembly));

    private static IReadOnlyList<Example> ReadExamples(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ExamplesPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Example(n[ExamplesPrefix.Length..], reader.ReadToEnd());
            })
            .ToList();
}
