-- Search by title: case-insensitive substring match (ILIKE '%…%'), served by
-- a trigram index so it stays fast at 100,000 projects.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX posts_title_trgm_idx ON posts USING gin (title gin_trgm_ops)
    WHERE deleted_at IS NULL AND status <> 'CANCEL';
