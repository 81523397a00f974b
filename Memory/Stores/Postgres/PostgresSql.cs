using System.Globalization;
using System.Text;
using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Npgsql;
using NpgsqlTypes;

namespace Agents.Memory.Stores.Postgres;

/// <summary>SQL fragments shared by the PostgreSQL store: column lists, row readers and filter clauses.</summary>
internal static class PostgresSql
{
    public const string RecordColumns =
        "id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category, " +
        "metadata::text, sources, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version";

    public const int RecordColumnCount = 22;

    /// <summary><see cref="RecordColumns"/> with a NULL in the embedding's place, for reads whose caller
    /// does not need it (<see cref="ReadRecord"/> then leaves <c>Embedding</c> null).</summary>
    public const string RecordColumnsWithoutEmbedding =
        "id, tenant, user_id, agent_id, run_id, team_id, kind, content, NULL::vector AS embedding, keywords, tags, context, category, " +
        "metadata::text, sources, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version";

    public static string Columns(bool withEmbedding) => withEmbedding ? RecordColumns : RecordColumnsWithoutEmbedding;

    /// <summary>A row of nulls typed as <see cref="RecordColumns"/> and a score: what a search statement returns
    /// to hand its search on (<see cref="ReadSearchesAsync"/> reads it as null). Written out, it costs the
    /// planner nothing, where a row from <c>memory_records</c> would be planned with all its indexes.</summary>
    public const string HandOverRow =
        "NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::vector, NULL::text[], " +
        "NULL::text[], NULL::text, NULL::text, NULL::text, NULL::text[], NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, " +
        "NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::bigint, NULL::float8";

    public const string EdgeColumns =
        "id, tenant, user_id, agent_id, run_id, team_id, from_id, to_id, type, fact, fact_embedding, weight, " +
        "valid_at, invalid_at, expired_at, created_at, sources";

    // The same columns in the same order, the fact embedding left out (null).
    public static readonly string EdgeColumnsWithoutEmbedding = EdgeColumns.Replace(" fact_embedding,", " NULL::vector AS fact_embedding,", StringComparison.Ordinal);

    public const string HistoryColumns = "id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version";

    public const string JobColumns =
        "id, tenant, user_id, agent_id, run_id, team_id, kind, payload, idempotency_key, status, attempts, enqueued_at, available_at, " +
        "lease_owner, lease_expires_at, finished_at, last_error";

    public static readonly int JobColumnCount = JobColumns.Split(", ").Length;

    /// <summary>Runs a batch of searches and reads each one's scored rows, in batch order, skipping the
    /// results of its settings; null for a search its statement handed on (<see cref="HandOverRow"/>).</summary>
    public static async Task<List<List<ScoredMemory>?>> ReadSearchesAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var results = new List<List<ScoredMemory>?>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            if (reader.FieldCount != RecordColumnCount + 1) continue;
            List<ScoredMemory>? hits = [];
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsDBNull(0)) hits = null; // handed on (HandOverRow): the caller searches another way
                else hits?.Add(new ScoredMemory(ReadRecord(reader), Convert.ToDouble(reader.GetValue(RecordColumnCount), CultureInfo.InvariantCulture)));
            }
            results.Add(hits);
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        return results;
    }

    // ---- BM25 in SQL (Okapi, k1 1.2, b 0.75, as the embedded store ranks), shared by both rankings

    /// <summary>The lexemes of <paramref name="tsvector"/> that are among <paramref name="terms"/> (a text[]
    /// expression), with their positions: setweight marks them, ts_filter keeps them, so a record's
    /// ranking unnests two or three lexemes instead of its ~60.</summary>
    public static string QueryLexemes(string tsvector, string terms) => $"ts_filter(setweight({tsvector}, 'A', {terms}), '{{a}}')";

    /// <summary>A lexeme's frequency in its record (its positions; a lexeme stripped of them counts once),
    /// for a row <paramref name="lexeme"/> of <c>unnest(tsvector)</c>.</summary>
    public static string TermFrequency(string lexeme) => $"coalesce(array_length({lexeme}.positions, 1), 1)::float8";

    /// <summary>A text's analysis as a tsvector literal (<c>'term':1,4 'other':2</c>), cast to tsvector by its
    /// statement: stored as given, without <c>to_tsvector</c>'s own parse (migration 0105).</summary>
    public static string TsVector(AnalyzedText text)
    {
        var literal = new StringBuilder(text.Terms.Length * 12);
        for (var i = 0; i < text.Terms.Length; i++)
        {
            if (i > 0) literal.Append(' ');
            AppendQuoted(literal, text.Terms[i]);
            literal.Append(':');
            var positions = text.Positions[i];
            for (var j = 0; j < positions.Length; j++)
            {
                if (j > 0) literal.Append(',');
                literal.Append(positions[j].ToString(CultureInfo.InvariantCulture));
            }
        }
        return literal.ToString();
    }

    /// <summary>A text's analysis as a tsvector value, for a binary <c>COPY</c>. Npgsql builds one only by
    /// parsing a literal, which it marks obsolete because it cannot parse every literal PostgreSQL does;
    /// <see cref="TsVector"/>'s are plain (quoted terms of letters and digits, positions in order).</summary>
    public static NpgsqlTsVector TsVectorValue(AnalyzedText text)
    {
#pragma warning disable CS0618
        return NpgsqlTsVector.Parse(TsVector(text));
#pragma warning restore CS0618
    }

    /// <summary>A tsquery literal that matches any of <paramref name="terms"/> (<c>'a' | 'b'</c>), taken as given:
    /// the terms are already the store's analysis of a query. Null for no terms.</summary>
    public static string? AnyTerm(IReadOnlyList<string> terms)
    {
        if (terms.Count == 0) return null;
        var literal = new StringBuilder(terms.Count * 10);
        for (var i = 0; i < terms.Count; i++)
        {
            if (i > 0) literal.Append(" | ");
            AppendQuoted(literal, terms[i]);
        }
        return literal.ToString();
    }

    // A lexeme quoted for a tsvector or tsquery literal: quotes doubled, backslashes escaped.
    private static void AppendQuoted(StringBuilder literal, string lexeme)
    {
        literal.Append('\'');
        foreach (var c in lexeme)
        {
            if (c is '\'' or '\\') literal.Append(c);
            literal.Append(c);
        }
        literal.Append('\'');
    }

    /// <summary>A term's BM25 weight in a record of length <paramref name="dl"/>, in SQL; <see cref="Bm25.Weight"/>
    /// is the same in process, in the same order of operations, so both give the same double.</summary>
    public static string Bm25Weight(string idf, string tf, string dl, string averageLength) =>
        $"{idf} * {tf} * 2.2 / ({tf} + 1.2 * (0.25 + 0.75 * {dl} / {averageLength}))";

    public static MemoryScope ReadScope(NpgsqlDataReader r, int tenantOrdinal) => new(
        r.GetString(tenantOrdinal), NullableString(r, tenantOrdinal + 1), NullableString(r, tenantOrdinal + 2),
        NullableString(r, tenantOrdinal + 3), NullableString(r, tenantOrdinal + 4));

    public static MemoryRecord ReadRecord(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Scope = ReadScope(r, 1),
        Kind = new MemoryKind(r.GetString(6)),
        Content = r.GetString(7),
        Embedding = PgVector.Read(r, 8),
        Keywords = r.GetFieldValue<string[]>(9),
        Tags = r.GetFieldValue<string[]>(10),
        Context = NullableString(r, 11),
        Category = NullableString(r, 12),
        Metadata = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(13)) ?? [],
        Sources = r.GetFieldValue<string[]>(14),
        ObservedAt = Time(r, 15),
        ValidAt = NullableTime(r, 16),
        InvalidAt = NullableTime(r, 17),
        ExpiredAt = NullableTime(r, 18),
        CreatedAt = Time(r, 19),
        UpdatedAt = Time(r, 20),
        Version = r.GetInt64(21),
    };

    public static MemoryEdge ReadEdge(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Scope = ReadScope(r, 1),
        FromId = r.GetGuid(6),
        ToId = r.GetGuid(7),
        Type = r.GetString(8),
        Fact = NullableString(r, 9),
        FactEmbedding = PgVector.Read(r, 10),
        Weight = r.GetDouble(11),
        ValidAt = NullableTime(r, 12),
        InvalidAt = NullableTime(r, 13),
        ExpiredAt = NullableTime(r, 14),
        CreatedAt = Time(r, 15),
        Sources = r.GetFieldValue<string[]>(16),
    };

    public static MemoryHistoryEntry ReadHistory(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        RecordId = r.GetGuid(1),
        Scope = ReadScope(r, 2),
        OldContent = NullableString(r, 7),
        NewContent = NullableString(r, 8),
        Event = Enum.Parse<MemoryEvent>(r.GetString(9)),
        At = Time(r, 10),
        Actor = r.GetString(11),
        Version = r.GetInt64(12),
    };

    public static MemoryJob ReadJob(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Scope = ReadScope(r, 1),
        Kind = r.GetString(6),
        PayloadJson = r.GetString(7),
        IdempotencyKey = r.GetString(8),
        Status = ParseStatus(r.GetString(9)),
        Attempts = r.GetInt32(10),
        EnqueuedAt = Time(r, 11),
        AvailableAt = Time(r, 12),
        LeaseOwner = NullableString(r, 13),
        LeaseExpiresAt = NullableTime(r, 14),
        FinishedAt = NullableTime(r, 15),
        LastError = NullableString(r, 16),
    };

    public static string StatusText(MemoryJobStatus status) => status switch
    {
        MemoryJobStatus.Pending => "pending",
        MemoryJobStatus.Completed => "completed",
        MemoryJobStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown job status."),
    };

    private static MemoryJobStatus ParseStatus(string text) => text switch
    {
        "pending" => MemoryJobStatus.Pending,
        "completed" => MemoryJobStatus.Completed,
        "failed" => MemoryJobStatus.Failed,
        _ => throw new InvalidDataException($"Unknown job status '{text}' in memory_jobs."),
    };

    /// <summary>Appends <c>tenant = … AND user_id = …</c> for the ids the scope sets (the filter semantics
    /// of <see cref="MemoryScope.Contains"/>), with parameters named after <paramref name="prefix"/>.</summary>
    public static void AppendScope(StringBuilder sql, NpgsqlParameterCollection parameters, MemoryScope scope, string prefix = "s_", string column = "")
    {
        sql.Append(column).Append("tenant = @").Append(prefix).Append("tenant");
        parameters.Add(TextParam(prefix + "tenant", scope.Tenant));
        AppendId(sql, parameters, prefix, column, "user_id", scope.UserId);
        AppendId(sql, parameters, prefix, column, "agent_id", scope.AgentId);
        AppendId(sql, parameters, prefix, column, "run_id", scope.RunId);
        AppendId(sql, parameters, prefix, column, "team_id", scope.TeamId);
    }

    /// <summary>Equality with the scope itself, not containment: an id the scope leaves null must be null.</summary>
    public static void AppendExactScope(StringBuilder sql, NpgsqlParameterCollection parameters, MemoryScope scope)
    {
        sql.Append("tenant = @x_tenant");
        parameters.Add(TextParam("x_tenant", scope.Tenant));
        foreach (var (name, value) in new[] { ("user_id", scope.UserId), ("agent_id", scope.AgentId), ("run_id", scope.RunId), ("team_id", scope.TeamId) })
        {
            if (value is null)
            {
                sql.Append(" AND ").Append(name).Append(" IS NULL");
                continue;
            }
            sql.Append(" AND ").Append(name).Append(" = @x_").Append(name);
            parameters.Add(TextParam("x_" + name, value));
        }
    }

    /// <summary>One text naming a scope exactly (each id length-prefixed, so no two scopes share it).</summary>
    public static string ScopeKey(MemoryScope scope) =>
        string.Concat(new[] { scope.Tenant, scope.UserId, scope.AgentId, scope.RunId, scope.TeamId }
            .Select(v => v is null ? "-;" : $"{v.Length}:{v};"));

    private static void AppendId(StringBuilder sql, NpgsqlParameterCollection parameters, string prefix, string column, string name, string? value)
    {
        if (value is null) return;
        sql.Append(" AND ").Append(column).Append(name).Append(" = @").Append(prefix).Append(name);
        parameters.Add(TextParam(prefix + name, value));
    }

    /// <summary>The WHERE clause (without the keyword) of a record filter.</summary>
    public static void AppendFilter(StringBuilder sql, NpgsqlParameterCollection parameters, MemoryFilter filter)
    {
        AppendScope(sql, parameters, filter.Scope);
        if (filter.Kinds is { Count: 1 } one)
        {
            // One kind as an equality, so the (scope, kind, observed_at) index yields rows in time order.
            sql.Append(" AND kind = @f_kind");
            parameters.Add(TextParam("f_kind", one[0].Value));
        }
        else if (filter.Kinds is { Count: > 1 } kinds)
        {
            sql.Append(" AND kind = ANY(@f_kinds)");
            parameters.Add(new NpgsqlParameter<string[]>("f_kinds", kinds.Select(k => k.Value).ToArray()));
        }
        if (filter.Tags is { Count: > 0 } tags)
        {
            sql.Append(" AND tags @> @f_tags");
            parameters.Add(new NpgsqlParameter<string[]>("f_tags", tags.ToArray()));
        }
        if (filter.Metadata is { } metadata)
        {
            sql.Append(" AND metadata ->> @f_meta_key = ANY(@f_meta_values)");
            parameters.Add(TextParam("f_meta_key", metadata.Key));
            parameters.Add(TextArray("f_meta_values", metadata.Values));
        }
        if (filter.AsOf is { } asOf)
        {
            sql.Append(" AND (valid_at IS NULL OR valid_at <= @f_asof) AND (invalid_at IS NULL OR invalid_at > @f_asof) AND (expired_at IS NULL OR expired_at > @f_asof)");
            parameters.Add(TimeParameter("f_asof", asOf));
        }
        else if (!filter.IncludeExpired)
        {
            sql.Append(" AND expired_at IS NULL");
        }
        if (filter.ObservedFrom is { } from)
        {
            sql.Append(" AND observed_at >= @f_from");
            parameters.Add(TimeParameter("f_from", from));
        }
        if (filter.ObservedBefore is { } before)
        {
            sql.Append(" AND observed_at < @f_before");
            parameters.Add(TimeParameter("f_before", before));
        }
    }

    public static NpgsqlParameter TextParam(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter TimeParameter(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? MemoryTime.Normalize(v) : DBNull.Value };

    public static NpgsqlParameter TextArray(string name, IEnumerable<string> values) =>
        new NpgsqlParameter<string[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values.ToArray() };

    public static void AddScopeParameters(NpgsqlParameterCollection parameters, MemoryScope scope)
    {
        parameters.Add(TextParam("tenant", scope.Tenant));
        parameters.Add(TextParam("user_id", scope.UserId));
        parameters.Add(TextParam("agent_id", scope.AgentId));
        parameters.Add(TextParam("run_id", scope.RunId));
        parameters.Add(TextParam("team_id", scope.TeamId));
    }

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset Time(NpgsqlDataReader r, int i) => new(r.GetFieldValue<DateTime>(i), TimeSpan.Zero);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
}
