-- A scope's claim without a scan of its whole backlog (issue 15).
--
-- The owner of a scope (its memory grain) claims the scope's next job; the claim asks whether another
-- worker holds a live lease in the scope, and that question read every pending job of the scope: with a
-- conversation's turns added faster than its pipeline runs, a claim cost grew with the backlog (0.55 ms
-- a job on average over a LoCoMo conversation, quadratic over a bulk import). The jobs under a lease are
-- few (those being run), so they get their own index; the next job comes from memory_jobs_scope_pending
-- in enqueue order, and the backlog is counted from that index alone.
CREATE INDEX memory_jobs_scope_leased ON memory_jobs (tenant, user_id, agent_id, run_id, team_id)
    WHERE status = 'pending' AND lease_owner IS NOT NULL;
