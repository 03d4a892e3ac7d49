-- Publishing's bounds, repeated by the database: a target of at most
-- 9,999,999,999 KRW, and a price of at least 1,000 KRW and at most the
-- target (app::domain::post has the same rules, with messages).
ALTER TABLE posts
    ADD CONSTRAINT posts_target_amount_max CHECK (target_amount <= 9999999999),
    ADD CONSTRAINT posts_price_within_target CHECK (price BETWEEN 1000 AND target_amount);
