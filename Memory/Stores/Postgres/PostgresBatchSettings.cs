using Npgsql;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// The planner settings under which a batch's statements are planned, sent only where they change.
/// The batch is one implicit transaction and every setting is local to it (<c>set_config(..., true)</c>), so
/// nothing is undone at its end, and a setting for the whole transaction (<c>synchronous_commit</c>) rides
/// with the first change: a pipeline job's batch carries one settings statement, where a statement per
/// change and per undoing would cost four binds, executes and results.
/// </summary>
internal sealed class PostgresBatchSettings(NpgsqlBatch batch)
{
    // Once: the statement keeps the plan it makes at its first run. ByIdOnce: that plan joins by index lookups
    // only, whatever the table's size when it is made. A path it disables still costs 10^10 if nothing else
    // can take its place (the triggers' plans made under it scan their one-row tables), so JIT is off too: at
    // that cost PostgreSQL compiles the plan first, some 200 ms (it stays off for the rest of the batch,
    // statements by key that never gain from it). Each names every setting it depends on.
    public const string Once = "set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'on', true), set_config('enable_hashjoin', 'on', true), set_config('enable_mergejoin', 'on', true)";
    public const string ByIdOnce = "set_config('plan_cache_mode', 'force_generic_plan', true), set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)";
    // IndexOrderOnce: planned once, by an index that gives the order asked for, read until the rows it needs
    // (the job queue's claims, whose tables' size and backlog when a plan is made say nothing of later).
    public const string IndexOrderOnce = "set_config('plan_cache_mode', 'force_generic_plan', true), set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)";
    private const string Defaults = "";

    private string _current = Defaults;
    private string? _transaction;

    /// <summary>A setting for the whole transaction (read at its commit), e.g. <c>synchronous_commit</c>.</summary>
    public void ForTransaction(string setting) => _transaction = _transaction is null ? setting : $"{_transaction}, {setting}";

    /// <summary>Adds <paramref name="commands"/> to the batch, planned under <paramref name="settings"/>. The
    /// statements added directly after them run under the same settings: the batch's other statements find
    /// their rows by key, which any of these plans does.</summary>
    public void Add(string settings, IEnumerable<NpgsqlBatchCommand> commands)
    {
        foreach (var command in commands)
        {
            if (settings != _current) Send(settings);
            _current = settings;
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>Sends the transaction's settings if no change carried them.</summary>
    public void Finish()
    {
        if (_transaction is not null) Send(Defaults);
    }

    private void Send(string settings)
    {
        var all = string.Join(", ", new[] { _transaction, settings }.Where(static s => !string.IsNullOrEmpty(s)));
        _transaction = null;
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {all}"));
    }
}
