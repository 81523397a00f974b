-- A cheaper HNSW graph: 8 links per element instead of 16, candidate lists of 48 instead of 64 (issue 15;
-- see docs/memory-store.md).
--
-- An insertion's cost is its graph walk (ef_construction candidates, each with its links) and the
-- rewiring of its neighbours' link lists, both growing with the degree m. On the store benchmark
-- (100,000 384-d rows, two writers), side by side on this machine, recall@10 at hnsw.ef_search 100:
--     m 16, ef_construction 64: ~1,040-1,180 inserts/s, recall 0.997-0.999
--     m 16, ef_construction 40: ~1,250/s, recall 0.980
--     m 12, ef_construction 48: ~1,600/s, recall 0.985
--     m  8, ef_construction 64: ~1,650-1,860/s, recall 0.984-0.998
--     m  8, ef_construction 48: ~2,070-2,190/s, recall 0.978; 0.971-0.991 at hnsw.ef_search 128 (kept)
--     m  6, ef_construction 80: ~1,850/s, recall 0.985
-- Searches also follow fewer links. PostgresMemoryStoreOptions.EfSearch is now 128. Only the index
-- changes: it is rebuilt here, once, and every score still comes from the full-precision vectors.
DROP INDEX memory_records_embedding_384;
CREATE INDEX memory_records_embedding_384 ON memory_records
    USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WITH (m = 8, ef_construction = 48)
    WHERE embedding_dims = 384 AND vector_indexed;
