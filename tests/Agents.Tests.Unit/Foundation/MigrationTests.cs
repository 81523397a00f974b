using Agents.Infra.Migrations;

namespace Agents.Tests.Unit.Foundation;

public sealed class MigrationTests
{
    [Fact]
    public void File_names_give_version_and_name()
    {
        var m = Migration.FromFile("0012_memory_records.sql", "SELECT 1");
        Assert.Equal(12, m.Version);
        Assert.Equal("memory_records", m.Name);
    }

    [Theory]
    [InlineData("memory.sql")]
    [InlineData("_x.sql")]
    [InlineData("0000_zero.sql")]
    [InlineData("abc_x.sql")]
    public void Badly_named_files_are_refused(string name) =>
        Assert.Throws<MigrationException>(() => Migration.FromFile(name, ""));

    [Fact]
    public void Checksum_ignores_line_endings_but_not_edits()
    {
        Assert.Equal(Migration.ComputeChecksum("a;\nb;"), Migration.ComputeChecksum("a;\r\nb;"));
        Assert.NotEqual(Migration.ComputeChecksum("a;\nb;"), Migration.ComputeChecksum("a;\nc;"));
    }

    [Fact]
    public void An_amended_migration_names_the_checksums_of_its_released_texts()
    {
        var first = Migration.ComputeChecksum("CREATE TABLE t (a int);");
        var amended = new Migration(7, "t", $"-- note\r\n-- replaces checksum {first}\r\n-- replaces checksum {new string('f', 63)}\nCREATE TABLE t (a int, b int);");

        Assert.Equal([first], amended.FormerChecksums);
        Assert.Empty(new Migration(8, "u", "-- replaces nothing\nSELECT 1;").FormerChecksums);
    }

    [Fact]
    public void Duplicate_versions_are_refused()
    {
        var error = Assert.Throws<MigrationException>(() => new MigrationCatalog([new Migration(1, "a", ""), new Migration(1, "b", "")]));
        Assert.Contains("share version 1", error.Message);
    }

    [Fact]
    public void The_shipped_catalog_is_ordered_and_starts_with_the_foundation()
    {
        var versions = MigrationCatalog.Default.Migrations.Select(m => m.Version).ToArray();
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Order(), versions);
        Assert.Contains("vector", MigrationCatalog.Default.Migrations[0].Sql);
    }
}
