-- A retried top-up must not deposit twice. API clients send an
-- `Idempotency-Key`; the ledger row of the deposit it made remembers it, and
-- the unique index makes a second deposit under the same key impossible even
-- when the two requests race.
ALTER TABLE ledger_entries
    ADD COLUMN idempotency_key TEXT
        CHECK (idempotency_key IS NULL OR (kind = 'DEPOSIT' AND char_length(idempotency_key) BETWEEN 1 AND 200));

CREATE UNIQUE INDEX ledger_entries_idempotency_key ON ledger_entries (account_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
