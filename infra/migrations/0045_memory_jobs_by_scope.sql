-- Each memory scope's owner claims its own next job: pending jobs keyed by their exact scope, in
-- the order they were enqueued. Null ids are part of the key (a team's scope is not its agents').
CREATE INDEX memory_jobs_scope_pending ON memory_jobs (tenant, user_id, agent_id, run_id, team_id, enqueued_at, id)
    WHERE status = 'pending';
