using Microsoft.Extensions.Configuration;

namespace Agents.Grains.Hosting;

/// <summary>Settings read from configuration in more than one place.</summary>
public static class AgentsConfiguration
{
    /// <summary>The PostgreSQL connection string: <c>Agents:Postgres</c>, else <c>AGENTS_PG_CONNECTION</c>;
    /// null means the embedded store and a single local cluster.</summary>
    public static string? PostgresConnection(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration["Agents:Postgres"];
        if (string.IsNullOrWhiteSpace(value)) value = configuration["AGENTS_PG_CONNECTION"];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> now (so that a bad value fails
    /// the start, named) as well as through the options pattern for the services that read it.</summary>
    public static T Read<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Configuration section {section} is invalid: {e.InnerException?.Message ?? e.Message}", e);
        }
        return options;
    }
}
