-- RADIUS mode (issue 14): where a router's PPPoE users are kept, the
-- FreeRADIUS database Headend syncs, and session history.

-- 'api': the router's own /ppp/secret; 'radius': FreeRADIUS's database,
-- with the router known there by nas_address (its shared secret is in the
-- keyring) and kicked on coa_port.
ALTER TABLE routers ADD COLUMN backend TEXT NOT NULL DEFAULT 'api' CHECK (backend IN ('api', 'radius'));
ALTER TABLE routers ADD COLUMN nas_address TEXT;
ALTER TABLE routers ADD COLUMN coa_port INTEGER NOT NULL DEFAULT 3799 CHECK (coa_port BETWEEN 1 AND 65535);

-- The FreeRADIUS database (its password is in the keyring) and the
-- address routers send their RADIUS requests to.
CREATE TABLE radius_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL,
    server_address TEXT,
    updated_at TEXT NOT NULL
);
