-- The dashboard's "online, last 24 hours" reads the sessions stopped since
-- a moment and the open ones: both by this index.
CREATE INDEX session_history_stopped ON session_history (stopped_at);
