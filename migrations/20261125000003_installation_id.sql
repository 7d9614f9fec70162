-- Facts about this database itself. `installation_id` is a random name
-- that scopes this database's passwords in the OS keyring: router 1 of one
-- data directory is not router 1 of another.
CREATE TABLE meta (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

INSERT INTO meta (key, value) VALUES ('installation_id', lower(hex(randomblob(8))));
