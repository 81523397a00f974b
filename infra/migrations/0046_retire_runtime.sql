-- The home-made actor runtime is gone: Orleans keeps membership, grain state and reminders in its
-- own tables (0050 onward). Its tables held only transient cluster state.
DROP TABLE IF EXISTS runtime_grain_state;
DROP TABLE IF EXISTS runtime_grain_directory;
DROP TABLE IF EXISTS runtime_membership_silo;
DROP TABLE IF EXISTS runtime_membership_version;
