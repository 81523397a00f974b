-- Orleans' ADO.NET providers (clustering, grain persistence, reminders) bring no SQL of their own. At
-- start-up each one reads its statements from this table by key, then runs them with its parameters
-- bound by name (@DeploymentId, @ServiceId, ...) and reads their result columns by name. So the
-- contract between Orleans and the database is: these keys, those parameter names, those result
-- column names and what the values mean. The tables behind the statements are this project's own
-- (0051 clustering, 0052 grain state, 0053 reminders); each statement aliases its columns to the
-- names a provider reads.
--
-- The providers query `SELECT QueryKey, QueryText FROM OrleansQuery` unquoted, which PostgreSQL folds
-- to lower case: the table and its columns must be named exactly as below.
--
-- A provider reads its statements once, when it starts. To change one, add a migration that updates
-- its row; silos pick it up as they restart.
CREATE TABLE orleansquery (
    querykey  text PRIMARY KEY,
    querytext text NOT NULL
);
