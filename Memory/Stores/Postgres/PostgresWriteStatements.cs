using System.Text.Json;
using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Npgsql;
using NpgsqlTypes;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// The multi-row statements of a write batch: all its record adds (with their history) in one statement,
/// all its updates in one, all its edges in one. Each statement fires the tables' statement triggers
/// (the scope epochs and counts) once instead of once per row, and a statement costs its fixed overhead
/// once. The rows travel as one array per column, expanded by <c>unnest</c>, so each statement has one
/// text whatever its row count: the connection prepares it once (a text per row count would crowd the
/// hot statements out of the auto-prepare slots). Text-array columns travel as a JSON array per row.
/// A statement finds the records it reads by id alone, its other checks written so that no index can take
/// them: a connection keeps the generic plan it made while the table was small, and one that looked records
/// up through (tenant, kind) would scan the whole tenant for every row once the table has grown.
/// A record's tsvectors and their lengths come from the store's own analysis (<see cref="RecordText"/>,
/// migration 0105); whether it joins the HNSW index is computed in the statement instead of by a PL/pgSQL
/// call per row (migration 0101).
/// </summary>
internal static class PostgresWriteStatements
{
    /// <summary>The name of an update's first result column (its record's creation time).</summary>
    public const string UpdatedCreatedAt = "updated_created_at";

    /// <summary>Rows per statement, so one statement's arrays stay a modest message.</summary>
    public const int MaxRowsPerStatement = 500;

    // A text[] column that travels as one jsonb array per row.
    private static string TextArray(string column, string row = "v") => $"ARRAY(SELECT jsonb_array_elements_text({row}.{column}))";

    /// <summary>Inserts <paramref name="rows"/> (stamped records) and the history row of each add, in one statement.
    /// A record joins the HNSW index if one of its scope keys is above the index's minimum as the statement
    /// reads it (the statement trigger catches a key a concurrent writer takes over meanwhile).</summary>
    public static NpgsqlBatchCommand InsertRecords(IReadOnlyList<(MemoryRecord Stored, string Actor, RecordText Text)> rows, DateTimeOffset now)
    {
        var records = rows.Select(static r => r.Stored).ToList();
        var command = new NpgsqlBatchCommand($"""
            WITH v AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::vector[], $10::jsonb[], $11::jsonb[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[], $16::text[],
                    $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[],
                    $21::timestamptz[], $22::timestamptz[], $23::bigint[], $24::uuid[], $25::text[],
                    $27::tsvector[], $28::tsvector[], $29::integer[], $30::integer[])
                AS v(id, tenant, user_id, agent_id, run_id, team_id, kind,
                    content, embedding, keywords, tags, context, category, metadata, sources, search_text,
                    observed_at, valid_at, invalid_at, expired_at,
                    created_at, updated_at, version, history_id, actor,
                    search, content_search, search_length, content_length)),
            added AS (
                INSERT INTO memory_records (id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category,
                    metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version,
                    search, content_search, search_length, content_length, vector_indexed)
                SELECT id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, {TextArray("keywords", "t")}, {TextArray("tags", "t")},
                    context, category, metadata, {TextArray("sources", "t")}, search_text, observed_at, valid_at, invalid_at, expired_at,
                    created_at, updated_at, version,
                    search, content_search, search_length, content_length,
                    EXISTS (SELECT 1 FROM memory_scope_epochs e, memory_vector_index_policy p
                            WHERE e.tenant = t.tenant AND e.vectors > p.min_records
                              AND e.key IN ('user:' || t.user_id, 'agent:' || t.agent_id, 'run:' || t.run_id, 'team:' || t.team_id))
                FROM v AS t)
            INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
            SELECT history_id, id, tenant, user_id, agent_id, run_id, team_id, NULL, content, '{MemoryEvent.Add}', $26, actor, version FROM v
            """);
        var p = command.Parameters;
        p.Add(Ids(records.Select(static r => r.Id)));
        AddScopeArrays(p, records.Select(static r => r.Scope));
        p.Add(Texts(records.Select(static r => r.Kind.Value)));
        AddContents(p, records);
        p.Add(Times(records.Select(static r => (DateTimeOffset?)r.CreatedAt)));
        p.Add(Times(records.Select(static r => (DateTimeOffset?)r.UpdatedAt)));
        p.Add(Longs(records.Select(static r => r.Version)));
        p.Add(Ids(records.Select(static _ => Guid.NewGuid())));
        p.Add(Texts(rows.Select(static r => r.Actor)));
        p.Add(PostgresSql.TimeParameter("", now));
        AddTexts(p, rows.Select(static r => r.Text));
        return command;
    }

    /// <summary>
    /// Applies <paramref name="rows"/> in one statement, each only to the version, scope and kind its caller
    /// read, with a history row that takes the replaced content from the same statement. Returns one row per
    /// update in the order given: its record's creation time, then the check, which raises
    /// <paramref name="notUpdatedCode"/> with the record's id when an update matched nothing (under read
    /// committed a concurrent update re-checks the version on the newer row and so matches nothing).
    /// The caller has it planned once, with index lookups only: joined to its rows, a small table is cheapest
    /// to scan, so a plan made early would otherwise scan the table for every batch ever after. The table is
    /// named twice: the update, and the replaced content (for the history row) read by id in the statement's
    /// snapshot (so before the update). The tsvectors are the store's analysis of the new texts.
    /// </summary>
    public static NpgsqlBatchCommand UpdateRecords(IReadOnlyList<(MemoryRecord Stored, long ExpectedVersion, MemoryEvent Event, string Actor, RecordText Text)> rows,
        string notUpdatedCode)
    {
        var records = rows.Select(static r => r.Stored).ToList();
        var command = new NpgsqlBatchCommand($"""
            WITH v AS (
                SELECT u.*, o.content AS old_content
                FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::vector[], $11::jsonb[], $12::jsonb[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[], $17::text[],
                    $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[],
                    $22::timestamptz[], $23::bigint[], $24::uuid[], $25::text[], $26::text[],
                    $27::tsvector[], $28::tsvector[], $29::integer[], $30::integer[]) WITH ORDINALITY
                AS u(id, expected_version, kind, tenant, user_id, agent_id, run_id, team_id,
                    content, embedding, keywords, tags, context, category, metadata, sources, search_text,
                    observed_at, valid_at, invalid_at, expired_at,
                    updated_at, version, history_id, event, actor,
                    search, content_search, search_length, content_length, ord)
                LEFT JOIN LATERAL (SELECT r.content FROM memory_records r WHERE r.id = u.id) AS o ON true),
            updated AS (
                UPDATE memory_records r SET content = v.content, embedding = v.embedding, keywords = {TextArray("keywords")},
                    tags = {TextArray("tags")}, context = v.context, category = v.category, metadata = v.metadata,
                    sources = {TextArray("sources")}, search_text = v.search_text, observed_at = v.observed_at, valid_at = v.valid_at,
                    invalid_at = v.invalid_at, expired_at = v.expired_at, updated_at = v.updated_at, version = v.version,
                    search = v.search, search_length = v.search_length,
                    content_search = v.content_search, content_length = v.content_length
                FROM v
                WHERE r.id = v.id
                  AND (r.version, r.kind, r.tenant, r.user_id, r.agent_id, r.run_id, r.team_id)
                      IS NOT DISTINCT FROM (v.expected_version, v.kind, v.tenant, v.user_id, v.agent_id, v.run_id, v.team_id)
                RETURNING r.id, r.created_at, v.history_id, v.tenant, v.user_id, v.agent_id, v.run_id, v.team_id,
                    v.old_content, v.content, v.event, v.updated_at, v.actor, v.version),
            history AS (
                INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
                SELECT history_id, id, tenant, user_id, agent_id, run_id, team_id, old_content, content, event, updated_at, actor, version FROM updated)
            SELECT u.created_at AS {UpdatedCreatedAt}, memory_expect(u.id IS NOT NULL, '{notUpdatedCode}', v.id::text)
            FROM v LEFT JOIN updated u ON u.id = v.id ORDER BY v.ord
            """);
        var p = command.Parameters;
        p.Add(Ids(records.Select(static r => r.Id)));
        p.Add(Longs(rows.Select(static r => r.ExpectedVersion)));
        p.Add(Texts(records.Select(static r => r.Kind.Value)));
        AddScopeArrays(p, records.Select(static r => r.Scope));
        AddContents(p, records);
        p.Add(Times(records.Select(static r => (DateTimeOffset?)r.UpdatedAt)));
        p.Add(Longs(records.Select(static r => r.Version)));
        p.Add(Ids(records.Select(static _ => Guid.NewGuid())));
        p.Add(Texts(rows.Select(static r => r.Event.ToString())));
        p.Add(Texts(rows.Select(static r => r.Actor)));
        AddTexts(p, rows.Select(static r => r.Text));
        return command;
    }

    /// <summary>Inserts <paramref name="edges"/> in one statement; the check raises <paramref name="missingCode"/>
    /// naming the first edge whose ends are not both records of its tenant (records added earlier in the batch count).</summary>
    public static NpgsqlBatchCommand InsertEdges(IReadOnlyList<MemoryEdge> edges, DateTimeOffset now, string missingCode)
    {
        const string columns = "id, tenant, user_id, agent_id, run_id, team_id, from_id, to_id, type, fact, fact_embedding, weight, valid_at, invalid_at, expired_at";
        var command = new NpgsqlBatchCommand($"""
            WITH v AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[],
                    $9::text[], $10::text[], $11::vector[], $12::float8[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[],
                    $16::jsonb[], $17::text[]) WITH ORDINALITY
                AS v({columns}, sources, expect, ord)),
            edge AS (
                INSERT INTO memory_edges ({columns}, created_at, sources)
                SELECT {columns}, $18, {TextArray("sources")} FROM v
                WHERE (SELECT r.tenant FROM memory_records r WHERE r.id = v.from_id) = v.tenant
                  AND (SELECT r.tenant FROM memory_records r WHERE r.id = v.to_id) = v.tenant
                RETURNING id)
            SELECT memory_expect(EXISTS (SELECT 1 FROM edge WHERE edge.id = v.id), '{missingCode}', v.expect) FROM v ORDER BY v.ord
            """);
        var p = command.Parameters;
        p.Add(Ids(edges.Select(static e => e.Id)));
        AddScopeArrays(p, edges.Select(static e => e.Scope));
        p.Add(Ids(edges.Select(static e => e.FromId)));
        p.Add(Ids(edges.Select(static e => e.ToId)));
        p.Add(Texts(edges.Select(static e => e.Type)));
        p.Add(Texts(edges.Select(static e => e.Fact)));
        p.Add(PgVector.ArrayParameter("", edges.Select(static e => e.FactEmbedding)));
        p.Add(new NpgsqlParameter<double[]> { TypedValue = edges.Select(static e => e.Weight).ToArray() });
        p.Add(Times(edges.Select(static e => e.ValidAt)));
        p.Add(Times(edges.Select(static e => e.InvalidAt)));
        p.Add(Times(edges.Select(static e => e.ExpiredAt)));
        p.Add(Jsons(edges.Select(static e => e.Sources)));
        p.Add(Texts(edges.Select(static e =>
            $"Edge {e.Id}: its 'from' record {e.FromId} or its 'to' record {e.ToId} does not exist in tenant '{e.Scope.Tenant}'.")));
        p.Add(PostgresSql.TimeParameter("", now));
        return command;
    }

    /// <summary>Five positional text[] parameters, one element per scope: tenant, user_id, agent_id, run_id, team_id.</summary>
    public static void AddScopeArrays(NpgsqlParameterCollection p, IEnumerable<MemoryScope> scopes)
    {
        var all = scopes.ToList();
        p.Add(Texts(all.Select(static s => s.Tenant)));
        p.Add(Texts(all.Select(static s => s.UserId)));
        p.Add(Texts(all.Select(static s => s.AgentId)));
        p.Add(Texts(all.Select(static s => s.RunId)));
        p.Add(Texts(all.Select(static s => s.TeamId)));
    }

    // content, embedding, keywords, tags, context, category, metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at
    private static void AddContents(NpgsqlParameterCollection p, IReadOnlyList<MemoryRecord> records)
    {
        p.Add(Texts(records.Select(static r => r.Content)));
        p.Add(PgVector.ArrayParameter("", records.Select(static r => r.Embedding)));
        p.Add(Jsons(records.Select(static r => r.Keywords)));
        p.Add(Jsons(records.Select(static r => r.Tags)));
        p.Add(Texts(records.Select(static r => r.Context)));
        p.Add(Texts(records.Select(static r => r.Category)));
        p.Add(new NpgsqlParameter<string[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            TypedValue = records.Select(static r => JsonSerializer.Serialize(r.Metadata)).ToArray(),
        });
        p.Add(Jsons(records.Select(static r => r.Sources)));
        p.Add(Texts(records.Select(MemorySearchText.Compose)));
        p.Add(Times(records.Select(static r => (DateTimeOffset?)r.ObservedAt)));
        p.Add(Times(records.Select(static r => r.ValidAt)));
        p.Add(Times(records.Select(static r => r.InvalidAt)));
        p.Add(Times(records.Select(static r => r.ExpiredAt)));
    }

    /// <summary>Four positional parameters, one element per record: its two tsvectors (as literals, for a
    /// <c>::tsvector[]</c> cast) and their lengths, as the store analysed its texts (migration 0105).</summary>
    public static void AddTexts(NpgsqlParameterCollection p, IEnumerable<RecordText> texts)
    {
        var all = texts.ToList();
        p.Add(Texts(all.Select(static t => PostgresSql.TsVector(t.Search))));
        p.Add(Texts(all.Select(static t => PostgresSql.TsVector(t.Content))));
        p.Add(new NpgsqlParameter<int[]> { TypedValue = all.Select(static t => t.Search.Length).ToArray() });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = all.Select(static t => t.Content.Length).ToArray() });
    }

    private static NpgsqlParameter Ids(IEnumerable<Guid> values) => new NpgsqlParameter<Guid[]> { TypedValue = values.ToArray() };

    private static NpgsqlParameter Longs(IEnumerable<long> values) => new NpgsqlParameter<long[]> { TypedValue = values.ToArray() };

    private static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values.ToArray() };

    // Times as stored: whole microseconds, UTC.
    private static NpgsqlParameter Times(IEnumerable<DateTimeOffset?> values) =>
        new NpgsqlParameter<DateTime?[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            TypedValue = values.Select(static v => v is { } t ? MemoryTime.Normalize(t).UtcDateTime : (DateTime?)null).ToArray(),
        };

    // A text array per row, as a JSON array (PostgreSQL arrays cannot be ragged).
    private static NpgsqlParameter Jsons(IEnumerable<IEnumerable<string>> values) =>
        new NpgsqlParameter<string[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            TypedValue = values.Select(static v => JsonSerializer.Serialize(v)).ToArray(),
        };
}
