-- A project is never deleted while it is funding: its backers' money is in
-- it, and it must still succeed or be refunded.
ALTER TABLE posts
    ADD CONSTRAINT posts_not_deleted_while_funding CHECK (deleted_at IS NULL OR status <> 'FUNDING');
