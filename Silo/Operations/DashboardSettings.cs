namespace Agents.Silo.Operations;

/// <summary>The Orleans Dashboard (section <c>Agents:Dashboard</c>), served behind the admin key
/// (<c>Agents:Http:AdminKey</c>): without that key it is not served at all.</summary>
public sealed class DashboardSettings
{
    public const string Section = "Agents:Dashboard";

    public bool Enabled { get; set; } = true;

    /// <summary>Where it is served on the API's address.</summary>
    public string Path { get; set; } = "/dashboard";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.Length < 2)
            throw new ArgumentException("Agents:Dashboard:Path must be a path such as /dashboard.", nameof(Path));
    }
}
