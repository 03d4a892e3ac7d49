-- A backing's writes in one call, so the project's row lock (taken by the
-- caller, who checked the rules under it) is held for one round trip
-- instead of four: record the backing, pay from the pocket into the
-- project's escrow through the ledger, link the payment, raise the totals. The
-- same guards apply (the ledger's triggers, the backings' unique indexes
-- and triggers); a refusal rolls back the caller's transaction.
CREATE FUNCTION backing_record(
    p_post_id   BIGINT,
    p_backer_id BIGINT,
    p_amount    BIGINT,
    p_key       TEXT,
    p_at        TIMESTAMPTZ,
    OUT backing_id    BIGINT,
    OUT balance_after BIGINT
) LANGUAGE plpgsql AS $$
DECLARE
    paid ledger_entries;
BEGIN
    -- The backing first: a second active one is ALREADY_BACKED before any
    -- money is looked at.
    INSERT INTO backings (post_id, backer_id, amount, idempotency_key, created_at)
    VALUES (p_post_id, p_backer_id, p_amount, p_key, p_at)
    RETURNING id INTO backing_id;
    paid := ledger_append(p_backer_id, 'BACKING', -p_amount, p_post_id, NULL, p_at);
    UPDATE backings SET payment_entry_id = paid.id WHERE id = backing_id;
    UPDATE posts SET total_amount = total_amount + p_amount, backer_count = backer_count + 1
     WHERE id = p_post_id;
    balance_after := paid.balance_after;
END
$$;
