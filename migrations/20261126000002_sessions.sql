-- Sessions live on the server: a token names its session, and a session
-- that was logged out (or, later, ended by a password change) is refused at
-- once, however long the token itself would still be valid.
CREATE TABLE sessions (
    id         TEXT        PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    account_id BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT sessions_expire_after_creation CHECK (expires_at > created_at)
);

CREATE INDEX sessions_account_idx ON sessions (account_id);
