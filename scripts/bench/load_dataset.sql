-- Loads ../shared/datasets (1,000 projects, 2,100 accounts, 20,000 backings)
-- into a migrated Moa database, then (with :copies > 1) multiplies the
-- projects to reach e.g. 100,000, copying each original's totals.
-- psql variables: :datasets (folder), :copies (1 or more), :shift_days
-- (days since the data set's base date 2026-11-23, so FUNDING stays open).
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMP TABLE users_csv (
    id bigint, username text, email text, role text, password_plain text, token_key text,
    pocket_active boolean, bank_account_type text, date_joined_utc timestamptz
);
CREATE TEMP TABLE posts_csv (
    id bigint, poster_id bigint, title text, content text, poster_name text, status text,
    final_date date, item_id bigint, item_tag text, price bigint, target_amount bigint,
    created_at_utc timestamptz
);
CREATE TEMP TABLE participations_csv (
    id bigint, user_id bigint, post_id bigint, purchase_id bigint, item_id bigint,
    purchase_status text, is_join boolean, created_at_utc timestamptz
);

\set users_file :datasets '/users.csv'
\set posts_file :datasets '/posts.csv'
\set participations_file :datasets '/participations.csv'
COPY users_csv FROM :'users_file' WITH (FORMAT csv, HEADER true);
COPY posts_csv FROM :'posts_file' WITH (FORMAT csv, HEADER true);
COPY participations_csv FROM :'participations_file' WITH (FORMAT csv, HEADER true);

INSERT INTO accounts (id, username, email, password_hash, role, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, username, email, '!', role, date_joined_utc FROM users_csv;

INSERT INTO posts (id, publisher_id, title, publisher_name, description, target_amount, price,
                   end_date, status, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, poster_id, title, poster_name, content, target_amount, price,
       final_date + :shift_days, status, created_at_utc
  FROM posts_csv;

INSERT INTO backings (id, post_id, backer_id, amount, created_at)
OVERRIDING SYSTEM VALUE
SELECT pa.id, pa.post_id, pa.user_id, po.price, pa.created_at_utc
  FROM participations_csv pa JOIN posts_csv po ON po.id = pa.post_id;

UPDATE posts p
   SET total_amount = b.total, backer_count = b.count
  FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS count FROM backings GROUP BY post_id) b
 WHERE b.post_id = p.id;

-- Copies k = 1 .. copies-1 of every project, ids k*1000 + original id,
-- created a few seconds apart so both orders have distinct keys.
INSERT INTO posts (id, publisher_id, title, publisher_name, description, target_amount, price,
                   end_date, status, total_amount, backer_count, created_at)
OVERRIDING SYSTEM VALUE
SELECT k * 1000 + p.id, p.publisher_id, p.title, p.publisher_name, p.description, p.target_amount,
       p.price, p.end_date, p.status, p.total_amount, p.backer_count,
       p.created_at - make_interval(secs => k)
  FROM posts p CROSS JOIN generate_series(1, :copies - 1) AS k
 WHERE p.id <= 1000;

SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts));
SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts));
SELECT setval(pg_get_serial_sequence('backings', 'id'), (SELECT max(id) FROM backings));
COMMIT;
-- As autovacuum would leave it: statistics and a visibility map (index-only scans).
VACUUM ANALYZE;
