-- The SHA-256 fingerprint (hex) of a router's TLS certificate, pinned on
-- first use for the api-tls and rest transports. Not a secret.
ALTER TABLE routers ADD COLUMN tls_pin TEXT;
