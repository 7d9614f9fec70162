-- Every sweep first asks whether its router has log lines still `pending`
-- (a run that died mid-write). The log keeps every command ever sent, so
-- without this index the question reads the router's whole log; with it,
-- the few pending lines (none, nearly always).
CREATE INDEX router_log_pending ON router_log (router_id) WHERE outcome = 'pending';
