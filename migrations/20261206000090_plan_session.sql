-- A plan's session limits and address pool (headend_core::plan::SessionLimits):
-- its PPP profile's session-timeout, idle-timeout and remote-address on API
-- routers, its FreeRADIUS group's Session-Timeout, Idle-Timeout and Framed-Pool.
-- NULL: not set (the router's default).
ALTER TABLE plans ADD COLUMN session_timeout_s INTEGER CHECK (session_timeout_s > 0);
ALTER TABLE plans ADD COLUMN idle_timeout_s INTEGER CHECK (idle_timeout_s > 0);
ALTER TABLE plans ADD COLUMN address_pool TEXT;
