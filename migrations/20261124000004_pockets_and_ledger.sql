-- Pockets (each account's registered wallet) and the append-only ledger of
-- every movement of money. A pocket's balance always equals the sum of its
-- ledger rows: both change in the same transaction, the balance can never go
-- negative, and ledger rows can never be changed or removed.

CREATE TABLE pockets (
    account_id     BIGINT      PRIMARY KEY REFERENCES accounts (id),
    bank           TEXT        NOT NULL CHECK (bank IN ('KB', 'SHINHAN', 'WOORI', 'HANA', 'NH', 'IBK',
                                                        'KAKAO', 'TOSS', 'KBANK', 'SC', 'BUSAN', 'DAEGU')),
    account_number TEXT        NOT NULL CHECK (account_number ~ '^[0-9]{10,14}$'),
    balance        BIGINT      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    BIGINT      NOT NULL REFERENCES pockets (account_id),
    -- DEPOSIT: a top-up; BACKING: paid for a project; REFUND: a cancelled
    -- project's money back; PAYOUT: a successful project's money to its publisher.
    kind          TEXT        NOT NULL CHECK (kind IN ('DEPOSIT', 'BACKING', 'REFUND', 'PAYOUT')),
    -- Signed: positive into the pocket, negative out of it.
    amount        BIGINT      NOT NULL CHECK (amount <> 0),
    balance_after BIGINT      NOT NULL CHECK (balance_after >= 0),
    post_id       BIGINT      REFERENCES posts (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ledger_direction CHECK (
        (kind IN ('DEPOSIT', 'REFUND', 'PAYOUT') AND amount > 0) OR (kind = 'BACKING' AND amount < 0)
    ),
    CONSTRAINT ledger_deposit_bounds CHECK (kind <> 'DEPOSIT' OR amount BETWEEN 1000 AND 10000000),
    CONSTRAINT ledger_project_money_names_the_project CHECK (kind = 'DEPOSIT' OR post_id IS NOT NULL)
);

CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id DESC);

CREATE FUNCTION ledger_entries_are_append_only() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only();
