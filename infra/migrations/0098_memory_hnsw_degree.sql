-- The HNSW graph with 8 links per element instead of 16 (issue 15; see docs/memory-store.md).
--
-- An insertion's cost is mostly its graph walk and the rewiring of its neighbours' link lists, which
-- grow with the degree m; the candidate list (ef_construction) mostly decides the graph's quality. On
-- the store benchmark (100,000 384-d rows, two writers), side by side on this machine:
--     m 16, ef_construction 64: ~1,040-1,180 inserts/s, recall@10 0.997-0.999
--     m 12, ef_construction 48: ~1,600/s, recall@10 0.985
--     m 16, ef_construction 40: ~1,250/s, recall@10 0.980
--     m  8, ef_construction 64: ~1,850/s, recall@10 0.994-0.998, and faster searches (fewer links to follow)
--     m  6, ef_construction 80: ~1,850/s, recall@10 0.985
-- (searches at hnsw.ef_search 100, PostgresMemoryStoreOptions.EfSearch). Only the index changes: it is
-- rebuilt here, once, and every score still comes from the full-precision vectors.
DROP INDEX memory_records_embedding_384;
CREATE INDEX memory_records_embedding_384 ON memory_records
    USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WITH (m = 8, ef_construction = 64)
    WHERE embedding_dims = 384 AND vector_indexed;
