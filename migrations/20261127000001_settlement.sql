-- Settlement: every project ends exactly once. A status changes only along
-- FUNDING → SUCCESS, FUNDING → CANCEL and SUCCESS → CLOSE, each change is a
-- row in post_transitions (written in the same transaction, at most once per
-- status a project enters), and a project that ended (SUCCESS or CANCEL)
-- holds no money and no active backing when its transaction commits. Money
-- that leaves an escrow goes where it belongs: a refund or a withdrawal to
-- a backer, once per backing that ended so; a payout to the publisher of a
-- project that succeeded.

SET LOCAL statement_timeout = 0;

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
        SELECT coalesce(-sum(e.amount), 0) INTO held FROM ledger_entries e WHERE e.post_id = NEW.id;
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
-- by the app; this holds even if a cancellation commits in between).
CREATE FUNCTION backings_project_funding() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = NEW.post_id AND p.status = 'FUNDING') THEN
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
