-- A project's status changes are history, as ledger entries are: a row of
-- post_transitions, once written, is never changed or removed. Only
-- INSERT is left; UPDATE, DELETE and TRUNCATE are refused whoever asks,
-- naming `post_transitions_append_only`.
CREATE FUNCTION post_transitions_are_append_only() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'post transitions are append-only'
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'post_transitions_append_only',
              TABLE = 'post_transitions', SCHEMA = TG_TABLE_SCHEMA;
END
$$;

CREATE TRIGGER post_transitions_append_only
    BEFORE UPDATE OR DELETE ON post_transitions
    FOR EACH ROW EXECUTE FUNCTION post_transitions_are_append_only();

-- TRUNCATE fires no row triggers, so it gets its own refusal.
CREATE TRIGGER post_transitions_no_truncate
    BEFORE TRUNCATE ON post_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION post_transitions_are_append_only();
