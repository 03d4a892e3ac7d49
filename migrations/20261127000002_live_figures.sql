-- Live figures: whenever a project's total, backer count or status changes,
-- or it is deleted, every server process listening on `moa_post_figures`
-- hears its id once the change commits (NOTIFY is transactional), and tells
-- the pages that show it (server-sent events).
CREATE FUNCTION posts_notify_figures() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.total_amount, NEW.backer_count, NEW.status, NEW.deleted_at)
       IS DISTINCT FROM (OLD.total_amount, OLD.backer_count, OLD.status, OLD.deleted_at) THEN
        PERFORM pg_notify('moa_post_figures', NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_notify_figures
    AFTER UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_notify_figures();
