namespace Agents.Runtime.Directory;

internal static class GrainDirectoryValidation
{
    public static void Validate(GrainAddress address, GrainAddress? previous)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (string.IsNullOrEmpty(address.Grain.Type) || string.IsNullOrEmpty(address.Grain.Key))
            throw new ArgumentException($"Grain id '{address.Grain}' needs a type and a key.", nameof(address));
        // Stored as "type/key": a '/' in the type would make two grains share a registration.
        if (address.Grain.Type.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"Grain type '{address.Grain.Type}' contains '/', which separates type from key.", nameof(address));
        ArgumentNullException.ThrowIfNull(address.Silo, nameof(address.Silo));
        if (previous is not null && previous.Grain != address.Grain)
            throw new ArgumentException(
                $"The registration to replace is for grain {previous.Grain}, not {address.Grain}.", nameof(previous));
    }
}
