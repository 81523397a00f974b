using System.Text;
using System.Text.Json;
using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Npgsql;
using NpgsqlTypes;
using static Agents.Memory.Stores.Postgres.PostgresSql;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// The multi-row statements of a write batch: all its record adds (with their history) in one statement,
/// all its updates in one, all its edges in one. Each statement fires the tables' statement triggers
/// (the scope epochs and counts) once instead of once per row, and a statement costs its fixed overhead
/// once: per row, a one-row insert cost about 0.45 ms and a row of a multi-row insert about 0.2 ms. The
/// rows travel as positional parameters, so the SQL text depends only on the row count (auto-prepared).
/// </summary>
internal static class PostgresWriteStatements
{
    /// <summary>Rows per statement: PostgreSQL takes at most 65,535 parameters, a record row uses 26.</summary>
    public const int MaxRowsPerStatement = 500;

    /// <summary>The columns of a record add, then its history row's.</summary>
    private const string AddColumns =
        "id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category, metadata, sources, " +
        "search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version, history_id, actor, at";

    /// <summary>Inserts <paramref name="rows"/> (stamped records) and the history row of each add, in one statement.</summary>
    public static NpgsqlBatchCommand InsertRecords(IReadOnlyList<(MemoryRecord Stored, string Actor)> rows, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand();
        var values = new PositionalRows(command.Parameters);
        foreach (var (r, actor) in rows)
        {
            values.BeginRow();
            values.Add(new NpgsqlParameter<Guid> { TypedValue = r.Id });
            AddScope(values, r.Scope);
            values.Add(TextParam("", r.Kind.Value));
            AddContent(values, r);
            values.Add(TimeParameter("", r.CreatedAt));
            values.Add(TimeParameter("", r.UpdatedAt));
            values.Add(new NpgsqlParameter<long> { TypedValue = r.Version });
            values.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            values.Add(TextParam("", actor));
            values.Add(TimeParameter("", now));
        }
        command.CommandText = $"""
            WITH v ({AddColumns}) AS (VALUES {values}),
            added AS (
                INSERT INTO memory_records (id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category,
                    metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version)
                SELECT id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category,
                    metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version
                FROM v)
            INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
            SELECT history_id, id, tenant, user_id, agent_id, run_id, team_id, NULL, content, '{MemoryEvent.Add}', at, actor, version FROM v
            """;
        return command;
    }

    /// <summary>
    /// Applies <paramref name="rows"/> in one statement, each only to the version, scope and kind its caller
    /// read, with a history row that takes the replaced content from the same statement. Returns one row per
    /// update in the order given: its record's creation time, then the check, which raises
    /// <paramref name="notUpdatedCode"/> with the record's id when an update matched nothing (under read
    /// committed a concurrent update re-checks the version on the newer row and so matches nothing).
    /// </summary>
    public static NpgsqlBatchCommand UpdateRecords(IReadOnlyList<(MemoryRecord Stored, long ExpectedVersion, MemoryEvent Event, string Actor)> rows,
        string notUpdatedCode)
    {
        var command = new NpgsqlBatchCommand();
        var values = new PositionalRows(command.Parameters);
        for (var i = 0; i < rows.Count; i++)
        {
            var (r, expected, @event, actor) = rows[i];
            values.BeginRow();
            values.Literal(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            values.Add(new NpgsqlParameter<Guid> { TypedValue = r.Id });
            values.Add(new NpgsqlParameter<long> { TypedValue = expected });
            values.Add(TextParam("", r.Kind.Value));
            AddScope(values, r.Scope);
            AddContent(values, r);
            values.Add(TimeParameter("", r.UpdatedAt));
            values.Add(new NpgsqlParameter<long> { TypedValue = r.Version });
            values.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            values.Add(TextParam("", @event.ToString()));
            values.Add(TextParam("", actor));
        }
        command.CommandText = $"""
            WITH v (ord, id, expected_version, kind, tenant, user_id, agent_id, run_id, team_id, content, embedding, keywords, tags, context, category,
                metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, updated_at, version, history_id, event, actor) AS (VALUES {values}),
            old AS (SELECT r.id, r.content FROM memory_records r JOIN v ON r.id = v.id),
            updated AS (
                UPDATE memory_records r SET content = v.content, embedding = v.embedding, keywords = v.keywords, tags = v.tags,
                    context = v.context, category = v.category, metadata = v.metadata, sources = v.sources, search_text = v.search_text,
                    observed_at = v.observed_at, valid_at = v.valid_at, invalid_at = v.invalid_at, expired_at = v.expired_at,
                    updated_at = v.updated_at, version = v.version
                FROM v JOIN old ON old.id = v.id
                WHERE r.id = v.id AND r.version = v.expected_version AND r.kind = v.kind AND r.tenant = v.tenant
                  AND r.user_id IS NOT DISTINCT FROM v.user_id AND r.agent_id IS NOT DISTINCT FROM v.agent_id
                  AND r.run_id IS NOT DISTINCT FROM v.run_id AND r.team_id IS NOT DISTINCT FROM v.team_id
                RETURNING r.id, r.created_at, old.content AS old_content),
            history AS (
                INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
                SELECT v.history_id, v.id, v.tenant, v.user_id, v.agent_id, v.run_id, v.team_id, u.old_content, v.content, v.event, v.updated_at, v.actor, v.version
                FROM updated u JOIN v ON v.id = u.id)
            SELECT u.created_at, memory_expect(u.id IS NOT NULL, '{notUpdatedCode}', v.id::text)
            FROM v LEFT JOIN updated u ON u.id = v.id ORDER BY v.ord
            """;
        return command;
    }

    /// <summary>Inserts <paramref name="edges"/> in one statement; the check raises <paramref name="missingCode"/>
    /// naming the first edge whose ends are not both records of its tenant (records added earlier in the batch count).</summary>
    public static NpgsqlBatchCommand InsertEdges(IReadOnlyList<MemoryEdge> edges, DateTimeOffset now, string missingCode)
    {
        var command = new NpgsqlBatchCommand();
        var values = new PositionalRows(command.Parameters);
        for (var i = 0; i < edges.Count; i++)
        {
            var edge = edges[i];
            values.BeginRow();
            values.Literal(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            values.Add(new NpgsqlParameter<Guid> { TypedValue = edge.Id });
            AddScope(values, edge.Scope);
            values.Add(new NpgsqlParameter<Guid> { TypedValue = edge.FromId });
            values.Add(new NpgsqlParameter<Guid> { TypedValue = edge.ToId });
            values.Add(TextParam("", edge.Type));
            values.Add(TextParam("", edge.Fact));
            values.Add(PgVector.Parameter("", edge.FactEmbedding));
            values.Add(new NpgsqlParameter<double> { TypedValue = edge.Weight });
            values.Add(TimeParameter("", edge.ValidAt));
            values.Add(TimeParameter("", edge.InvalidAt));
            values.Add(TimeParameter("", edge.ExpiredAt));
            values.Add(TimeParameter("", now));
            values.Add(TextArray("", edge.Sources));
            values.Add(TextParam("", $"Edge {edge.Id}: its 'from' record {edge.FromId} or its 'to' record {edge.ToId} does not exist in tenant '{edge.Scope.Tenant}'."));
        }
        const string columns = "id, tenant, user_id, agent_id, run_id, team_id, from_id, to_id, type, fact, fact_embedding, weight, valid_at, invalid_at, expired_at, created_at, sources";
        command.CommandText = $"""
            WITH v (ord, {columns}, expect) AS (VALUES {values}),
            edge AS (
                INSERT INTO memory_edges ({columns})
                SELECT {columns} FROM v
                WHERE EXISTS (SELECT 1 FROM memory_records r WHERE r.id = v.from_id AND r.tenant = v.tenant)
                  AND EXISTS (SELECT 1 FROM memory_records r WHERE r.id = v.to_id AND r.tenant = v.tenant)
                RETURNING id)
            SELECT memory_expect(EXISTS (SELECT 1 FROM edge WHERE edge.id = v.id), '{missingCode}', v.expect) FROM v ORDER BY v.ord
            """;
        return command;
    }

    private static void AddScope(PositionalRows values, MemoryScope scope)
    {
        values.Add(TextParam("", scope.Tenant));
        values.Add(TextParam("", scope.UserId));
        values.Add(TextParam("", scope.AgentId));
        values.Add(TextParam("", scope.RunId));
        values.Add(TextParam("", scope.TeamId));
    }

    // content, embedding, keywords, tags, context, category, metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at
    private static void AddContent(PositionalRows values, MemoryRecord r)
    {
        values.Add(TextParam("", r.Content));
        values.Add(PgVector.Parameter("", r.Embedding));
        values.Add(TextArray("", r.Keywords));
        values.Add(TextArray("", r.Tags));
        values.Add(TextParam("", r.Context));
        values.Add(TextParam("", r.Category));
        values.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(r.Metadata) });
        values.Add(TextArray("", r.Sources));
        values.Add(TextParam("", MemorySearchText.Compose(r)));
        values.Add(TimeParameter("", r.ObservedAt));
        values.Add(TimeParameter("", r.ValidAt));
        values.Add(TimeParameter("", r.InvalidAt));
        values.Add(TimeParameter("", r.ExpiredAt));
    }

    /// <summary>The rows of a VALUES list, each value a positional parameter ($n) of the command.</summary>
    private sealed class PositionalRows(NpgsqlParameterCollection parameters)
    {
        private readonly StringBuilder _sql = new();
        private bool _rowOpen;
        private bool _first;

        public void BeginRow()
        {
            if (_rowOpen) _sql.Append("), ");
            _sql.Append('(');
            (_rowOpen, _first) = (true, true);
        }

        public void Add(NpgsqlParameter parameter)
        {
            parameters.Add(parameter);
            Literal("$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        public void Literal(string sql)
        {
            if (!_first) _sql.Append(", ");
            _sql.Append(sql);
            _first = false;
        }

        public override string ToString() => _rowOpen ? _sql + ")" : "";
    }
}
