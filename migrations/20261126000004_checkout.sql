-- Checkout: a backer backs a project once (at a time), pays from the
-- pocket into the project's escrow, may withdraw while it funds, and may
-- cash out what the pocket holds. Every movement is a ledger row.
SET LOCAL statement_timeout = 0;

-- A backing's life: ACTIVE until withdrawn (WITHDRAWN) or settled (REFUNDED
-- when the project is cancelled, PAID_OUT when its publisher is paid).
-- At most one ACTIVE backing per backer and project: a withdrawn backer may
-- back again. Backings have their own idempotency keys (a top-up key and a
-- backing key never collide), and remember the ledger row that paid them.
ALTER TABLE backings
    ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE'
        CHECK (status IN ('ACTIVE', 'WITHDRAWN', 'REFUNDED', 'PAID_OUT')),
    ADD COLUMN ended_at TIMESTAMPTZ,
    ADD COLUMN idempotency_key TEXT
        CHECK (idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 200),
    ADD COLUMN payment_entry_id BIGINT REFERENCES ledger_entries (id),
    ADD CONSTRAINT backings_ended_when_not_active CHECK ((status = 'ACTIVE') = (ended_at IS NULL)),
    DROP CONSTRAINT backings_once_per_backer;

CREATE UNIQUE INDEX backings_one_active_per_backer ON backings (post_id, backer_id)
    WHERE status = 'ACTIVE';
CREATE UNIQUE INDEX backings_idempotency_key ON backings (backer_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX backings_post_idx ON backings (post_id, created_at DESC);

-- Ledger kinds. Into a pocket: DEPOSIT (a top-up), WITHDRAWAL (a backer
-- takes a backing back while the project funds), REFUND (a cancelled
-- project's money back), PAYOUT (a successful project's money to its
-- publisher). Out of a pocket: BACKING (into a project's escrow), CASH_OUT
-- (to the registered bank account). Money naming a project moves in or
-- out of its escrow; DEPOSIT and CASH_OUT name none.
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_kind_check,
    ADD CONSTRAINT ledger_entries_kind_check
        CHECK (kind IN ('DEPOSIT', 'BACKING', 'WITHDRAWAL', 'REFUND', 'PAYOUT', 'CASH_OUT')),
    DROP CONSTRAINT ledger_direction,
    ADD CONSTRAINT ledger_direction CHECK (
        (kind IN ('DEPOSIT', 'WITHDRAWAL', 'REFUND', 'PAYOUT') AND amount > 0)
        OR (kind IN ('BACKING', 'CASH_OUT') AND amount < 0)
    ),
    DROP CONSTRAINT ledger_project_money_names_the_project,
    ADD CONSTRAINT ledger_project_money_names_the_project
        CHECK ((kind IN ('DEPOSIT', 'CASH_OUT')) = (post_id IS NULL)),
    DROP CONSTRAINT ledger_entries_check,
    ADD CONSTRAINT ledger_idempotency_keys CHECK (
        idempotency_key IS NULL
        OR (kind IN ('DEPOSIT', 'CASH_OUT') AND char_length(idempotency_key) BETWEEN 1 AND 200)
    );

-- One key space per kind: a top-up and a cash-out may share a key.
DROP INDEX ledger_entries_idempotency_key;
CREATE UNIQUE INDEX ledger_entries_idempotency_key ON ledger_entries (account_id, kind, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- A project's escrow is summed from the rows that name it.
CREATE INDEX ledger_entries_post_idx ON ledger_entries (post_id) WHERE post_id IS NOT NULL;

-- The ledger check, now with cash-outs and backing statuses: a funding
-- project's totals count its ACTIVE backings only.
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
    SELECT 'conservation', NULL, NULL,
           format('deposits %s less cash-outs %s, but pockets hold %s and projects %s',
                  t.deposits, t.cash_outs, t.pockets, t.escrows)
      FROM (SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'DEPOSIT') AS deposits,
                   (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE kind = 'CASH_OUT') AS cash_outs,
                   (SELECT coalesce(sum(balance), 0) FROM pockets) AS pockets,
                   (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE post_id IS NOT NULL) AS escrows) t
     WHERE t.deposits - t.cash_outs <> t.pockets + t.escrows
$$;
