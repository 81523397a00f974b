namespace Agents.Infra.Migrations;

/// <summary>A migration could not be applied, or the database disagrees with the migration files.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
