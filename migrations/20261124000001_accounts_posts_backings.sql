-- Accounts, funding projects and backings.
-- Every rule that protects money is a constraint here, not only code.

CREATE TABLE accounts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT        NOT NULL CHECK (username ~ '^[A-Za-z0-9_]{3,30}$'),
    email         TEXT        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    -- An argon2id PHC string. '!' marks an account that cannot log in (demo data).
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('backer', 'publisher')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Unique regardless of case: "Alice" and "alice" are the same person.
CREATE UNIQUE INDEX accounts_username_key ON accounts (lower(username));
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE posts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    publisher_id   BIGINT      NOT NULL REFERENCES accounts (id),
    title          TEXT        NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 100),
    publisher_name TEXT        NOT NULL CHECK (char_length(btrim(publisher_name)) BETWEEN 1 AND 50),
    description    TEXT        NOT NULL CHECK (char_length(description) <= 20000),
    target_amount  BIGINT      NOT NULL CHECK (target_amount >= 10000),
    price          BIGINT      NOT NULL CHECK (price > 0),
    end_date       DATE        NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'FUNDING'
                               CHECK (status IN ('FUNDING', 'SUCCESS', 'CLOSE', 'CANCEL')),
    -- List order: FUNDING, then SUCCESS, then CLOSE (CANCEL is never listed).
    -- Mirrors app::domain::PostStatus::list_priority.
    status_rank    SMALLINT    GENERATED ALWAYS AS (
                       CASE status WHEN 'FUNDING' THEN 0 WHEN 'SUCCESS' THEN 1 WHEN 'CLOSE' THEN 2 ELSE 3 END
                   ) STORED,
    -- Maintained in the same transaction as every backing and refund.
    total_amount   BIGINT      NOT NULL DEFAULT 0 CHECK (total_amount >= 0),
    backer_count   BIGINT      NOT NULL DEFAULT 0 CHECK (backer_count >= 0),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at     TIMESTAMPTZ
);

CREATE INDEX posts_publisher_idx ON posts (publisher_id);
-- The two list orders, restricted to what a list can show.
CREATE INDEX posts_list_by_total_idx ON posts (status_rank, total_amount DESC, id DESC)
    WHERE deleted_at IS NULL AND status <> 'CANCEL';
CREATE INDEX posts_list_by_created_idx ON posts (status_rank, created_at DESC, id DESC)
    WHERE deleted_at IS NULL AND status <> 'CANCEL';

CREATE TABLE backings (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    BIGINT      NOT NULL REFERENCES posts (id),
    backer_id  BIGINT      NOT NULL REFERENCES accounts (id),
    amount     BIGINT      NOT NULL CHECK (amount > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A backer backs a project once.
    CONSTRAINT backings_once_per_backer UNIQUE (post_id, backer_id)
);

CREATE INDEX backings_backer_idx ON backings (backer_id);
