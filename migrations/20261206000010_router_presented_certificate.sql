-- The fingerprint of a certificate a router presented instead of its pinned
-- one: refused (no connection is made) until the operator trusts it, which
-- moves it to tls_pin. Not a secret.
ALTER TABLE routers ADD COLUMN presented_tls_pin TEXT;
