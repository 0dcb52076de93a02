-- The router's HTTP API (agencies' load, needs waiting for a place) is for the operations team only:
-- its clients and their API keys, of the same shape as intake's and compliance's.
CREATE TABLE operations_clients (
    client_id  text PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    principal_id text        NOT NULL REFERENCES operations_clients (client_id),
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    expires_at   timestamptz,
    last_used_at timestamptz
);
