namespace Agents.Infra.Migrations;

/// <summary>The ordered set of migrations the application knows: by default the SQL files under
/// <c>infra/migrations/</c>, embedded in this assembly at build time.</summary>
public sealed class MigrationCatalog
{
    public IReadOnlyList<Migration> Migrations { get; }

    public MigrationCatalog(IEnumerable<Migration> migrations)
    {
        var ordered = migrations.OrderBy(m => m.Version).ToArray();
        for (var i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Version == ordered[i - 1].Version)
                throw new MigrationException($"Two migrations share version {ordered[i].Version}: '{ordered[i - 1].Name}' and '{ordered[i].Name}'.");
        }
        Migrations = ordered;
    }

    private static readonly Lazy<MigrationCatalog> Embedded = new(LoadEmbedded);

    /// <summary>The migrations shipped with this build.</summary>
    public static MigrationCatalog Default => Embedded.Value;

    private static MigrationCatalog LoadEmbedded()
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("migrations/", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(Migration.FromFile(resource["migrations/".Length..], reader.ReadToEnd()));
        }
        return new MigrationCatalog(list);
    }
}
