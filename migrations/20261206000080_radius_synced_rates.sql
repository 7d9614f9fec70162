-- The rate each RADIUS router's sessions were last given per group: a
-- plan's new rate is written to FreeRADIUS once (by whichever router's
-- sweep comes first), but every router's live sessions need their CoA.
CREATE TABLE radius_synced_rates (
    router_id INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    groupname TEXT NOT NULL,
    rate      TEXT NOT NULL,
    PRIMARY KEY (router_id, groupname)
) WITHOUT ROWID;
