-- The HNSW index over half-precision copies of the embeddings (issue 15; see docs/memory-store.md).
--
-- Upkeep of the HNSW index is most of what a write of a record with an embedding costs (inserting 1,000
-- rows into 100,000: ~85 ms without the index, 600-1,700 ms with it). Its elements in half precision
-- take half the pages (112 MB instead of 195 MB at 100,000 384-d rows), so an insertion's graph walk
-- reads and compares half the bytes: ~20% cheaper inserts, and faster index scans, for a recall@10 of
-- 0.999 instead of 1.000 on the store benchmark's 100,000 rows. The table keeps the full-precision
-- vectors: exact search over small scopes, and every score returned, use them; the index only picks the
-- candidates. Queries now say `ORDER BY embedding::halfvec(N) <=> @q::halfvec(N)`; a deployment with
-- another dimension indexes it the same way:
--     CREATE INDEX ... USING hnsw ((embedding::halfvec(N)) halfvec_cosine_ops) WHERE embedding_dims = N
-- (halfvec HNSW indexes take up to 4,000 dimensions; a dimension without an index is searched exactly).
DROP INDEX memory_records_embedding_384;
CREATE INDEX memory_records_embedding_384 ON memory_records
    USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WHERE embedding_dims = 384;
