-- Loads the benchmark data set (bench/dataset: 1,000 projects, 2,100
-- accounts, 20,000 backings) into a migrated Moa database, then (with
-- :copies > 1) multiplies the projects to reach e.g. 100,000, copying each
-- original's totals. Run psql in the data set's folder: psql reads the
-- files (its copy command), not the database server, so the server need
-- not be able to read them. psql variables: :copies (1 or more),
-- :shift_days (days since the data set's base date 2026-11-23, so FUNDING
-- stays open).
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

-- psql's copy command takes its line as it is, without psql variables:
-- hence paths relative to the folder psql runs in.
\copy users_csv FROM 'users.csv' WITH (FORMAT csv, HEADER true)
\copy posts_csv FROM 'posts.csv' WITH (FORMAT csv, HEADER true)
\copy participations_csv FROM 'participations.csv' WITH (FORMAT csv, HEADER true)

INSERT INTO accounts (id, username, email, password_hash, role, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, username, email, '!', role, date_joined_utc FROM users_csv;

INSERT INTO posts (id, publisher_id, title, publisher_name, description, target_amount, price,
                   end_date, status, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, poster_id, title, poster_name, content, target_amount, price,
       final_date + :shift_days, status, created_at_utc
  FROM posts_csv;

-- The original server's backings include ones of projects that have since
-- ended (it never settled them); Moa only takes backings of funding
-- projects, so its guard steps aside for this import.
ALTER TABLE backings DISABLE TRIGGER backings_project_funding;
INSERT INTO backings (id, post_id, backer_id, amount, created_at)
OVERRIDING SYSTEM VALUE
SELECT pa.id, pa.post_id, pa.user_id, po.price, pa.created_at_utc
  FROM participations_csv pa JOIN posts_csv po ON po.id = pa.post_id;
ALTER TABLE backings ENABLE TRIGGER backings_project_funding;

UPDATE posts p
   SET total_amount = b.total, backer_count = b.count
  FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS count FROM backings GROUP BY post_id) b
 WHERE b.post_id = p.id;

-- The money behind the backings of funding projects, as checkout would
-- have written it: each of their backers gets a pocket, a top-up of what
-- they spent, and one BACKING row per backing, so escrow matches the
-- totals and `server ledger-check` holds on the original 1,000 projects.
-- (Backings of projects that already ended carry no money: the original
-- server never settled them. The copies below carry totals only.)
INSERT INTO pockets (account_id, bank, account_number, created_at)
SELECT DISTINCT b.backer_id, 'KB', '1101234567', now()
  FROM backings b JOIN posts p ON p.id = b.post_id
 WHERE p.status = 'FUNDING';
SELECT count(ledger_append(spent.backer_id, 'DEPOSIT', spent.total, NULL, NULL, spent.first_at))
  FROM (SELECT b.backer_id, sum(b.amount)::bigint AS total, min(b.created_at) AS first_at
          FROM backings b JOIN posts p ON p.id = b.post_id
         WHERE p.status = 'FUNDING'
         GROUP BY b.backer_id
         ORDER BY b.backer_id) spent;
CREATE TEMP TABLE backing_payments AS
SELECT paid.backing_id, (ledger_append(paid.backer_id, 'BACKING', -paid.amount, paid.post_id,
                                       NULL, paid.created_at)).id AS entry_id
  FROM (SELECT b.id AS backing_id, b.backer_id, b.amount, b.post_id, b.created_at
          FROM backings b JOIN posts p ON p.id = b.post_id
         WHERE p.status = 'FUNDING'
         ORDER BY b.backer_id, b.created_at, b.id) paid;
UPDATE backings b SET payment_entry_id = bp.entry_id
  FROM backing_payments bp WHERE bp.backing_id = b.id;

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
