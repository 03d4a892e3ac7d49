-- Settlement: every project ends exactly once. A status changes only along
-- FUNDING → SUCCESS, FUNDING → CANCEL and SUCCESS → CLOSE, each change is a
-- row in post_transitions (written in the same transaction, at most once per
-- status a project enters), and a project that ended (SUCCESS or CANCEL)
-- holds no money and no active backing when its transaction commits. Money
-- that leaves an escrow goes where it belongs: a refund or a withdrawal to
-- a backer, once per backing that ended so; a payout to the publisher of a
-- project that succeeded.

SET LOCAL statement_timeout = 0;

-- A project's escrow, kept beside it: the sum of the ledger rows that name
-- it (money in is negative for the backer, so escrow = -sum), moved only
-- by the ledger's trigger, as a pocket's balance is. The escrow guard reads
-- one row instead of summing the project's ledger (refunding N backers was
-- N² rows read); `ledger_violations()` checks it against the ledger.
ALTER TABLE posts
    ADD COLUMN escrow_held BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT posts_escrow_held_check CHECK (escrow_held >= 0);
UPDATE posts p
   SET escrow_held = m.held
  FROM (SELECT post_id, -sum(amount) AS held FROM ledger_entries WHERE post_id IS NOT NULL GROUP BY post_id) m
 WHERE m.post_id = p.id;

CREATE OR REPLACE FUNCTION ledger_entries_apply() RETURNS TRIGGER LANGUAGE plpgsql AS $$
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
    -- only if the escrow holds it (`posts.escrow_held`, kept by the AFTER
    -- trigger: one row read, however many backings the project has). The
    -- project's row lock orders this with every other movement in or out
    -- of the same escrow.
    IF NEW.post_id IS NOT NULL AND NEW.amount > 0 THEN
        IF (SELECT p.escrow_held FROM posts p WHERE p.id = NEW.post_id FOR UPDATE) < NEW.amount THEN
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

CREATE OR REPLACE FUNCTION ledger_entries_move_balance() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE pockets SET balance = NEW.balance_after, updated_at = now() WHERE account_id = NEW.account_id;
    IF NEW.post_id IS NOT NULL THEN
        UPDATE posts SET escrow_held = escrow_held - NEW.amount WHERE id = NEW.post_id;
    END IF;
    RETURN NULL;
END
$$;

-- Only the ledger's trigger (one level down) moves an escrow.
CREATE FUNCTION posts_escrow_follows_ledger() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.escrow_held IS DISTINCT FROM OLD.escrow_held AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a project''s escrow changes only through ledger_entries'
            USING ERRCODE = 'restrict_violation', TABLE = 'posts', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_escrow_follows_ledger
    BEFORE UPDATE OF escrow_held ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_escrow_follows_ledger();

CREATE FUNCTION posts_start_without_escrow() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.escrow_held IS DISTINCT FROM 0 THEN
        RAISE EXCEPTION 'a project''s escrow changes only through ledger_entries'
            USING ERRCODE = 'restrict_violation', TABLE = 'posts', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_start_without_escrow
    BEFORE INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_start_without_escrow();

-- The ledger check, now also holding the kept escrow to the ledger.
CREATE OR REPLACE FUNCTION ledger_violations()
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
         WHERE b.status = 'ACTIVE'
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
    SELECT 'escrow_held', NULL, p.id,
           format('posts.escrow_held says %s, the ledger %s', p.escrow_held, coalesce(m.escrow, 0))
      FROM posts p
      LEFT JOIN money m ON m.post_id = p.id
     WHERE p.escrow_held <> coalesce(m.escrow, 0)
    UNION ALL
    SELECT 'conservation', NULL, NULL,
           format('deposits %s less cash-outs %s, but pockets hold %s and projects %s',
                  t.deposits, t.cash_outs, t.pockets, t.escrows)
      FROM (SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'DEPOSIT') AS deposits,
                   (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE kind = 'CASH_OUT') AS cash_outs,
                   (SELECT coalesce(sum(balance), 0) FROM pockets) AS pockets,
                   (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE post_id IS NOT NULL) AS escrows) t
     WHERE t.deposits - t.cash_outs <> t.pockets + t.escrows
$$;

-- Refunds and withdrawals look up one backer's backings of one project.
CREATE INDEX backings_post_backer_idx ON backings (post_id, backer_id);

CREATE FUNCTION post_transition_allowed(from_status TEXT, to_status TEXT)
RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
    SELECT (from_status, to_status) IN (('FUNDING', 'SUCCESS'), ('FUNDING', 'CANCEL'), ('SUCCESS', 'CLOSE'))
$$;

CREATE TABLE post_transitions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id          BIGINT      NOT NULL REFERENCES posts (id),
    from_status      TEXT        NOT NULL,
    to_status        TEXT        NOT NULL,
    -- The owner (with their account) or the settlement task (without).
    actor            TEXT        NOT NULL CHECK (actor IN ('OWNER', 'SETTLEMENT')),
    actor_account_id BIGINT      REFERENCES accounts (id),
    happened_at      TIMESTAMPTZ NOT NULL,
    -- What moved with it: refunded to backers (CANCEL) or paid to the
    -- publisher (SUCCESS); nothing for CLOSE.
    amount_moved     BIGINT      NOT NULL CHECK (amount_moved >= 0),
    backings_moved   INTEGER     NOT NULL CHECK (backings_moved >= 0),
    CONSTRAINT post_transitions_allowed CHECK (post_transition_allowed(from_status, to_status)),
    CONSTRAINT post_transitions_actor CHECK ((actor = 'OWNER') = (actor_account_id IS NOT NULL)),
    -- No status is entered twice: a project settles (or is cancelled) once.
    CONSTRAINT post_transitions_once UNIQUE (post_id, to_status)
);

-- An owner's move is logged as made by the project's publisher, nobody else.
CREATE FUNCTION post_transitions_owner_is_publisher() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.actor = 'OWNER' AND NOT EXISTS (
        SELECT 1 FROM posts p WHERE p.id = NEW.post_id AND p.publisher_id = NEW.actor_account_id
    ) THEN
        RAISE EXCEPTION 'account % is not the publisher of project %', NEW.actor_account_id, NEW.post_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'post_transitions_owner_is_publisher',
                  TABLE = 'post_transitions', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER post_transitions_owner_is_publisher
    BEFORE INSERT ON post_transitions
    FOR EACH ROW EXECUTE FUNCTION post_transitions_owner_is_publisher();

-- Only the three moves, whoever updates the row.
CREATE FUNCTION posts_status_transition() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT post_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'a project cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'posts_status_transition',
                  TABLE = 'posts', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_status_transition
    BEFORE UPDATE OF status ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_status_transition();

-- At commit: the change was logged, and a project that ended left nothing
-- behind (every backing refunded or paid out, its escrow empty).
CREATE FUNCTION posts_status_settled() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    held BIGINT;
BEGIN
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM post_transitions t
                    WHERE t.post_id = NEW.id AND t.from_status = OLD.status AND t.to_status = NEW.status) THEN
        RAISE EXCEPTION 'project % went from % to % without a transition row', NEW.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'posts_status_logged',
                  TABLE = 'posts', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF NEW.status IN ('SUCCESS', 'CANCEL') THEN
        SELECT p.escrow_held INTO held FROM posts p WHERE p.id = NEW.id;
        IF held <> 0 OR EXISTS (SELECT 1 FROM backings b WHERE b.post_id = NEW.id AND b.status = 'ACTIVE') THEN
            RAISE EXCEPTION 'project % ended % still holding % or active backings', NEW.id, NEW.status, held
                USING ERRCODE = 'check_violation', CONSTRAINT = 'posts_settled_completely',
                      TABLE = 'posts', SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER posts_status_settled
    AFTER UPDATE OF status ON posts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION posts_status_settled();

-- Backings only of funding projects (checked under the project's row lock
-- by the app, and here under a share lock of it).
CREATE FUNCTION backings_project_funding() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    -- FOR SHARE: waits for a cancellation in flight and rereads the row
    -- after it, so a backing cannot slip in under a project being ended.
    IF NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = NEW.post_id AND p.status = 'FUNDING' FOR SHARE) THEN
        RAISE EXCEPTION 'project % is not funding', NEW.post_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'backings_project_funding',
                  TABLE = 'backings', SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER backings_project_funding
    BEFORE INSERT ON backings
    FOR EACH ROW EXECUTE FUNCTION backings_project_funding();

-- Money out of an escrow goes to whom it belongs. A refund (or withdrawal)
-- pays a backer back once per backing of theirs that was refunded (or
-- withdrawn), for that backing's amount; a payout goes to the publisher of
-- a project that succeeded. (The escrow guard of `ledger_entries_apply`
-- checks the escrow holds the amount.)
CREATE FUNCTION ledger_entries_follow_backings() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    ended_status TEXT;
BEGIN
    IF NEW.kind = 'PAYOUT' THEN
        IF NOT EXISTS (SELECT 1 FROM posts p
                        WHERE p.id = NEW.post_id AND p.publisher_id = NEW.account_id
                          AND p.status IN ('SUCCESS', 'CLOSE')) THEN
            RAISE EXCEPTION 'a payout of project % goes only to its publisher, once it succeeded', NEW.post_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_payout_to_publisher',
                      TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    ELSIF NEW.kind IN ('REFUND', 'WITHDRAWAL') THEN
        ended_status := CASE NEW.kind WHEN 'REFUND' THEN 'REFUNDED' ELSE 'WITHDRAWN' END;
        IF (SELECT count(*) FROM backings b
             WHERE b.post_id = NEW.post_id AND b.backer_id = NEW.account_id
               AND b.status = ended_status AND b.amount = NEW.amount)
           <= (SELECT count(*) FROM ledger_entries e
                WHERE e.account_id = NEW.account_id AND e.post_id = NEW.post_id
                  AND e.kind = NEW.kind AND e.amount = NEW.amount) THEN
            RAISE EXCEPTION 'no % backing of account % in project % is owed %',
                            ended_status, NEW.account_id, NEW.post_id, NEW.amount
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_return_for_backing',
                      TABLE = 'ledger_entries', SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_entries_follow_backings
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_follow_backings();

-- The settlement task's question, answered by an index: funding projects
-- by end date.
CREATE INDEX posts_funding_by_end_date_idx ON posts (end_date, id) WHERE status = 'FUNDING';
