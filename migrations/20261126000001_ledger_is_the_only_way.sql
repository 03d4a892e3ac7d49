-- A pocket's balance changes only by appending ledger rows, and the database
-- refuses every other way. Appending a row (use `ledger_append`) locks the
-- pocket, numbers the row within its account (`seq`), works out the balance
-- it leaves and moves the pocket's balance to it, all in the INSERT itself.
-- Updating a balance directly, inserting a pocket with money in it, and
-- truncating either table are refused; ledger rows stay append-only.
-- `ledger_violations()` lists every broken money invariant (none when sound).

-- Migrations run through the pool, whose connections stop statements after
-- MOA_DB_STATEMENT_TIMEOUT_MS; numbering a large ledger may take longer.
SET LOCAL statement_timeout = 0;

-- Each account's entries numbered 1, 2, 3… in the order they were applied.
ALTER TABLE ledger_entries ADD COLUMN seq BIGINT;

ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only;
UPDATE ledger_entries e
   SET seq = numbered.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS seq FROM ledger_entries) numbered
 WHERE numbered.id = e.id;
ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only;

ALTER TABLE ledger_entries
    ALTER COLUMN seq SET NOT NULL,
    ADD CONSTRAINT ledger_entries_seq_check CHECK (seq >= 1),
    ADD CONSTRAINT ledger_entries_seq_key UNIQUE (account_id, seq);

-- Appending a row. The pocket's row lock orders concurrent appends to one
-- account, so each row follows from the one committed before it.
-- Runs before the row's own constraints are checked, so `seq` and
-- `balance_after` may be left out (NULL) and are filled in here.
CREATE FUNCTION ledger_entries_apply() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    pocket_balance BIGINT;
    previous_seq   BIGINT;
    previous_after BIGINT;
    expected       BIGINT;
BEGIN
    SELECT balance INTO pocket_balance FROM pockets WHERE account_id = NEW.account_id FOR UPDATE;
    IF NOT FOUND THEN
        -- Also for a NULL account_id: the NOT NULL check would come later.
        RAISE EXCEPTION 'account % has no pocket', NEW.account_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_entries_account_id_fkey',
                  TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
    END IF;

    -- Checked here, not only by the unique index: these statements must not
    -- move the balance for a row that is then skipped (INSERT … ON CONFLICT
    -- DO NOTHING runs this trigger before it looks for a conflict).
    IF NEW.idempotency_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM ledger_entries
         WHERE account_id = NEW.account_id AND kind = NEW.kind
           AND idempotency_key = NEW.idempotency_key
    ) THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "ledger_entries_idempotency_key"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'ledger_entries_idempotency_key',
                  TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA,
                  DETAIL = format('Key (account_id, kind, idempotency_key)=(%s, %s, %s) already exists.',
                                  NEW.account_id, NEW.kind, NEW.idempotency_key);
    END IF;

    -- Money leaves a project's escrow (a withdrawal, a refund, a payout)
    -- only if the escrow holds it. The project's row lock orders this with
    -- every other movement in or out of the same escrow.
    IF NEW.post_id IS NOT NULL AND NEW.amount > 0 THEN
        PERFORM 1 FROM posts WHERE id = NEW.post_id FOR UPDATE;
        IF (SELECT coalesce(-sum(e.amount), 0) FROM ledger_entries e WHERE e.post_id = NEW.post_id)
           < NEW.amount THEN
            RAISE EXCEPTION 'project % holds less than the % to pay out of it', NEW.post_id, NEW.amount
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_escrow_covers',
                      TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    END IF;

    SELECT seq, balance_after INTO previous_seq, previous_after
      FROM ledger_entries
     WHERE account_id = NEW.account_id
     ORDER BY seq DESC
     LIMIT 1;
    IF NOT FOUND THEN
        previous_seq := 0;
        previous_after := 0;
    END IF;

    IF pocket_balance <> previous_after THEN
        RAISE EXCEPTION 'pocket % holds % but its last ledger entry left %',
                        NEW.account_id, pocket_balance, previous_after
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_after_follows',
                  TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
    END IF;

    IF NEW.seq IS NOT NULL AND NEW.seq <> previous_seq + 1 THEN
        RAISE EXCEPTION 'entry % of account % must have seq %', NEW.seq, NEW.account_id, previous_seq + 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_after_follows',
                  TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    NEW.seq := previous_seq + 1;

    IF NEW.amount IS NULL THEN
        -- Let the NOT NULL constraint report it.
        RETURN NEW;
    END IF;
    expected := previous_after + NEW.amount;
    IF NEW.balance_after IS NULL THEN
        NEW.balance_after := expected;
    ELSIF NEW.balance_after <> expected THEN
        RAISE EXCEPTION 'balance_after % does not follow: the previous entry left % and the amount is %, so %',
                        NEW.balance_after, previous_after, NEW.amount, expected
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_after_follows',
                  TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
    END IF;

    -- A pocket that cannot pay fails here already (the row's own CHECK on
    -- balance_after would too); the balance itself moves only once the row
    -- is really inserted (below).
    IF expected < 0 THEN
        RAISE EXCEPTION 'pocket % holds %, less than the % to take', NEW.account_id, previous_after, -NEW.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'pockets_balance_check',
                  TABLE = 'pockets', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_entries_apply
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_apply();

-- Moves the balance for a row that was really inserted. Not in the BEFORE
-- trigger: `INSERT … ON CONFLICT DO NOTHING` runs BEFORE triggers and then
-- skips the row, which would move money with no ledger row to show for it.
CREATE FUNCTION ledger_entries_move_balance() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE pockets SET balance = NEW.balance_after, updated_at = now() WHERE account_id = NEW.account_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_move_balance
    AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_move_balance();

-- Only the ledger's trigger above (one trigger level down) may move a balance.
-- Bank and account number changes pass.
CREATE FUNCTION pockets_balance_follows_ledger() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a pocket balance changes only through ledger_entries'
            USING ERRCODE = 'restrict_violation', TABLE = 'pockets', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER pockets_balance_follows_ledger
    BEFORE UPDATE ON pockets
    FOR EACH ROW EXECUTE FUNCTION pockets_balance_follows_ledger();

-- A new pocket is empty; money arrives as ledger rows.
CREATE FUNCTION pockets_start_empty() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.balance IS DISTINCT FROM 0 THEN
        RAISE EXCEPTION 'a pocket balance changes only through ledger_entries'
            USING ERRCODE = 'restrict_violation', TABLE = 'pockets', SCHEMA = TG_TABLE_SCHEMA,
                  DETAIL = 'A new pocket starts with a balance of 0.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER pockets_start_empty
    BEFORE INSERT ON pockets
    FOR EACH ROW EXECUTE FUNCTION pockets_start_empty();

-- TRUNCATE fires no row triggers, so it gets its own refusals.
CREATE FUNCTION ledger_entries_refuse_truncate() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refuse_truncate();

CREATE FUNCTION pockets_refuse_truncate() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a pocket balance changes only through ledger_entries' USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER pockets_no_truncate
    BEFORE TRUNCATE ON pockets
    FOR EACH STATEMENT EXECUTE FUNCTION pockets_refuse_truncate();

-- The one way to move money: appends one row (seq and balance_after worked
-- out by the trigger) and returns it. Money out of a pocket is negative.
CREATE FUNCTION ledger_append(
    p_account_id      BIGINT,
    p_kind            TEXT,
    p_amount          BIGINT,
    p_post_id         BIGINT DEFAULT NULL,
    p_idempotency_key TEXT DEFAULT NULL,
    p_created_at      TIMESTAMPTZ DEFAULT now()
) RETURNS ledger_entries LANGUAGE sql AS $$
    INSERT INTO ledger_entries (account_id, kind, amount, post_id, idempotency_key, created_at)
    VALUES (p_account_id, p_kind, p_amount, p_post_id, p_idempotency_key, p_created_at)
    RETURNING *
$$;

-- Every broken money invariant, one row each; no rows when all hold.
-- A project's escrow is the money it holds: what its backers paid in, less
-- what went back to them (REFUND) or on to its publisher (PAYOUT).
-- Projects with neither ledger rows nor backings (tests insert such bare
-- projects with made-up totals) are not checked against their totals.
CREATE FUNCTION ledger_violations()
RETURNS TABLE (problem TEXT, account_id BIGINT, post_id BIGINT, detail TEXT)
LANGUAGE sql STABLE AS $$
    WITH running AS (
        SELECT e.id, e.account_id, e.seq, e.balance_after,
               sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.seq, e.id
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sum_so_far
          FROM ledger_entries e
    ),
    money AS (
        SELECT e.post_id, -sum(e.amount) AS escrow, count(*) AS entries
          FROM ledger_entries e
         WHERE e.post_id IS NOT NULL
         GROUP BY e.post_id
    ),
    backed AS (
        SELECT b.post_id, sum(b.amount) AS total, count(*) AS backers
          FROM backings b
         GROUP BY b.post_id
    ),
    projects AS (
        SELECT p.id, p.status, p.total_amount, p.backer_count,
               coalesce(m.escrow, 0) AS escrow, coalesce(m.entries, 0) AS entries,
               coalesce(b.total, 0) AS backed_total, coalesce(b.backers, 0) AS backers
          FROM posts p
          LEFT JOIN money m ON m.post_id = p.id
          LEFT JOIN backed b ON b.post_id = p.id
         WHERE m.post_id IS NOT NULL OR b.post_id IS NOT NULL
    )
    SELECT 'running_sum', r.account_id, NULL::BIGINT,
           format('entry %s (seq %s) left %s, but the amounts up to it sum to %s',
                  r.id, r.seq, r.balance_after, r.sum_so_far)
      FROM running r
     WHERE r.balance_after IS DISTINCT FROM r.sum_so_far
    UNION ALL
    SELECT 'seq_gap', e.account_id, NULL,
           format('%s entries numbered %s to %s (%s distinct)',
                  count(*), min(e.seq), max(e.seq), count(DISTINCT e.seq))
      FROM ledger_entries e
     GROUP BY e.account_id
    HAVING min(e.seq) <> 1 OR max(e.seq) <> count(*) OR count(DISTINCT e.seq) <> count(*)
    UNION ALL
    SELECT 'pocket_balance', p.account_id, NULL,
           format('pocket holds %s, its last entry left %s', p.balance, coalesce(last.balance_after, 0))
      FROM pockets p
      LEFT JOIN LATERAL (
          SELECT e.balance_after FROM ledger_entries e
           WHERE e.account_id = p.account_id
           ORDER BY e.seq DESC, e.id DESC
           LIMIT 1
      ) last ON true
     WHERE p.balance <> coalesce(last.balance_after, 0)
    UNION ALL
    SELECT 'escrow_negative', NULL, j.id, format('escrow %s', j.escrow)
      FROM projects j
     WHERE j.escrow < 0
    UNION ALL
    SELECT 'escrow_mismatch', NULL, j.id,
           CASE WHEN j.status = 'FUNDING'
                THEN format('FUNDING project holds %s, total_amount says %s', j.escrow, j.total_amount)
                ELSE format('%s project still holds %s', j.status, j.escrow)
           END
      FROM projects j
     WHERE (j.status = 'FUNDING' AND j.escrow <> j.total_amount)
        OR (j.status <> 'FUNDING' AND j.escrow <> 0 AND j.entries > 0)
    UNION ALL
    SELECT 'totals_mismatch', NULL, j.id,
           format('total_amount %s and backer_count %s, backings sum to %s from %s backers',
                  j.total_amount, j.backer_count, j.backed_total, j.backers)
      FROM projects j
     WHERE j.status = 'FUNDING'
       AND (j.total_amount <> j.backed_total OR j.backer_count <> j.backers)
    UNION ALL
    SELECT 'conservation', NULL, NULL,
           format('deposits %s, pockets hold %s and projects %s', t.deposits, t.pockets, t.escrows)
      FROM (SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'DEPOSIT') AS deposits,
                   (SELECT coalesce(sum(balance), 0) FROM pockets) AS pockets,
                   (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE post_id IS NOT NULL) AS escrows) t
     WHERE t.deposits <> t.pockets + t.escrows
$$;

-- Refuse to start on a ledger the triggers above could not continue.
DO $$
DECLARE
    broken TEXT;
BEGIN
    SELECT string_agg(format('%s (account %s): %s', problem, account_id, detail), '; ')
      INTO broken
      FROM ledger_violations()
     WHERE problem IN ('running_sum', 'seq_gap', 'pocket_balance');
    IF broken IS NOT NULL THEN
        RAISE EXCEPTION 'pockets and ledger disagree: %', broken;
    END IF;
END
$$;
