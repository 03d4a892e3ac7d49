-- Demo data for `make run`: 44 projects in all four statuses, Korean and
-- English titles, 8 publishers, 60 backers and their backings. Money moves
-- only through the ledger (`ledger_append`), as in the app: every backer
-- tops up its pocket, pays for each backing from it, and the publishers of
-- finished (SUCCESS or CLOSE) projects are paid out, so `ledger_violations()`
-- finds nothing. Statuses obey the transitions too: every project starts
-- FUNDING and ends as settlement or its owner would have ended it (logged in
-- post_transitions); CLOSE projects succeeded first. `demo_backer_1` is left with exactly ₩300,000 (README).
-- Idempotent: does nothing when the demo publishers already exist.
-- Expects `moa.today` (YYYY-MM-DD in Moa's time zone) set in this transaction.
DO $$
DECLARE
    today        date := current_setting('moa.today')::date;
    titles       text[] := ARRAY[
        '캠핑 의자 미니', 'Handmade ceramic mug', '향초 만들기 키트', 'Eco tumbler 500ml',
        '독서등 스마트 램프', 'Vintage leather bag', '반려동물 산책 가방', 'Garden herb kit',
        '커피 드립 세트', 'Travel journal notebook', '자전거 라이트 프로', 'Premium green tea set',
        '여행용 파우치', 'Mini camping stove', '음악 감상 스피커', 'Craft beer brewing kit',
        '등산 스틱 경량', 'Design desk organizer', '요리 레시피 북', 'Smart plant pot',
        '공예 목공 세트', 'Bike repair multitool', '사진 필름 카메라', 'Handmade wool scarf',
        '그림 수채화 팔레트', 'Eco bamboo cutlery', '텀블러 보온 1L', 'Candle wax melts',
        '정원 물뿌리개', 'Board game: 모아 city', '게임 컨트롤러 거치대', 'Reading nook cushion',
        '노트 만년필 세트', 'Vintage film poster', '운동 요가 매트', 'Camping lantern mini',
        '커피 원두 구독', 'Tea ceremony cups', '가방 방수 커버', 'Music box handmade',
        '취미 뜨개질 키트', 'Smart bike lock', '향초 우드윅 세트', 'Travel adapter slim'
    ];
    publisher_ids bigint[] := ARRAY[]::bigint[];
    backer_ids    bigint[] := ARRAY[]::bigint[];
    new_id        bigint;
    status        text;
    price         bigint;
    target        bigint;
    backers       int;
    end_on        date;
    banks         text[] := ARRAY['KB', 'SHINHAN', 'WOORI', 'HANA', 'NH', 'IBK',
                                  'KAKAO', 'TOSS', 'KBANK', 'SC', 'BUSAN', 'DAEGU'];
    -- What a backer keeps after paying for its backings.
    leftover      bigint;
    need          bigint;
    deposits      int;
    money         record;
    -- How each project ends (or NULL while it funds), by id.
    endings       jsonb := '{}';
BEGIN
    IF EXISTS (SELECT 1 FROM accounts WHERE username = 'demo_publisher_1') THEN
        RETURN;
    END IF;

    FOR i IN 1..8 LOOP
        INSERT INTO accounts (username, email, password_hash, role)
        VALUES (format('demo_publisher_%s', i), format('publisher%s@demo.moa.local', i), '!', 'publisher')
        RETURNING id INTO new_id;
        publisher_ids := publisher_ids || new_id;
    END LOOP;

    FOR i IN 1..60 LOOP
        INSERT INTO accounts (username, email, password_hash, role)
        VALUES (format('demo_backer_%s', i), format('backer%s@demo.moa.local', i), '!', 'backer')
        RETURNING id INTO new_id;
        backer_ids := backer_ids || new_id;
    END LOOP;

    FOR i IN 1..array_length(titles, 1) LOOP
        status := CASE
            WHEN i IN (11, 22, 44) THEN 'CANCEL'
            WHEN i % 10 = 7 THEN 'SUCCESS'
            WHEN i % 10 = 3 THEN 'CLOSE'
            ELSE 'FUNDING'
        END;
        price := 5000 * (1 + i % 10);
        backers := CASE WHEN status = 'CANCEL' THEN 0 ELSE (i * 13) % 41 END;
        target := CASE
            -- Finished successfully: the target was met.
            WHEN status IN ('SUCCESS', 'CLOSE') THEN greatest(10000, (backers * price / 20000) * 10000)
            -- A few runaway hits, far past their target.
            WHEN i % 8 = 5 THEN greatest(10000, (backers * price / 40000) * 10000)
            ELSE 100000 * (1 + (i * 37) % 50)
        END;
        end_on := CASE
            WHEN status IN ('SUCCESS', 'CLOSE', 'CANCEL') THEN today - (1 + i % 20)
            WHEN i = 1 THEN today
            ELSE today + (1 + (i * 7) % 60)
        END;

        INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, price,
                           end_date, status, created_at)
        VALUES (
            publisher_ids[1 + i % 8],
            titles[i],
            format('Studio %s 스튜디오', 1 + i % 8),
            format(E'## %s\n\nA project by studio %s. Every backing pays for materials and the first production run.\n\n- Ships within 30 days of the end date\n- One reward per backer', titles[i], 1 + i % 8),
            target,
            price,
            end_on,
            'FUNDING',
            now() - make_interval(hours => 9 * (array_length(titles, 1) - i))
        )
        RETURNING id INTO new_id;
        IF status <> 'FUNDING' THEN
            endings := endings || jsonb_build_object(new_id::text, status);
        END IF;

        FOR k IN 0..backers - 1 LOOP
            INSERT INTO backings (post_id, backer_id, amount, created_at)
            VALUES (new_id, backer_ids[1 + (i * 7 + k) % 60], price,
                    -- Backings of ended projects came before their end.
                    CASE WHEN status = 'FUNDING' THEN now()
                         ELSE end_on::timestamp AT TIME ZONE 'Asia/Seoul' END
                    - make_interval(mins => 37 * k));
        END LOOP;
    END LOOP;

    -- A pocket for every account that holds or receives money. The two
    -- accounts people can log in as (their password is set by server::demo)
    -- keep the bank accounts the README and the browser tests know.
    FOR i IN 1..8 LOOP
        INSERT INTO pockets (account_id, bank, account_number)
        VALUES (publisher_ids[i],
                CASE WHEN i = 4 THEN 'SHINHAN' ELSE banks[1 + (i * 5) % 12] END,
                CASE WHEN i = 4 THEN '110123456789' ELSE format('9100%s', lpad(i::text, 8, '0')) END);
    END LOOP;
    FOR i IN 1..60 LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM backings b WHERE b.backer_id = backer_ids[i]);
        INSERT INTO pockets (account_id, bank, account_number)
        VALUES (backer_ids[i],
                CASE WHEN i = 1 THEN 'KAKAO' ELSE banks[1 + i % 12] END,
                CASE WHEN i = 1 THEN '3333012345678' ELSE format('3020%s', lpad(i::text, 8, '0')) END);
    END LOOP;

    -- Each backer tops up what its backings cost plus what it keeps, a few
    -- days before its first backing (in several deposits if one would be
    -- over the ₩10,000,000 a deposit may be).
    FOR money IN
        SELECT b.backer_id, sum(b.amount)::bigint AS cost, min(b.created_at) AS first_backed
          FROM backings b
         WHERE b.backer_id = ANY (backer_ids)
         GROUP BY b.backer_id
         ORDER BY b.backer_id
    LOOP
        leftover := CASE WHEN money.backer_id = backer_ids[1] THEN 300000 ELSE 50000 END;
        need := money.cost + leftover;
        deposits := ((need + 9999999) / 10000000)::int;
        FOR d IN 1..deposits LOOP
            PERFORM ledger_append(
                money.backer_id, 'DEPOSIT',
                need / deposits + CASE WHEN d = 1 THEN need % deposits ELSE 0 END,
                NULL, NULL,
                money.first_backed - interval '3 days' + make_interval(mins => 10 * (d - 1)));
        END LOOP;
    END LOOP;

    -- Every backing paid from its backer's pocket, in the order they happened.
    FOR money IN
        SELECT b.backer_id, b.post_id, b.amount, b.created_at
          FROM backings b
         WHERE b.backer_id = ANY (backer_ids)
         ORDER BY b.created_at, b.id
    LOOP
        PERFORM ledger_append(money.backer_id, 'BACKING', -money.amount, money.post_id, NULL, money.created_at);
    END LOOP;

    UPDATE posts p
       SET total_amount = b.total, backer_count = b.count
      FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS count FROM backings GROUP BY post_id) b
     WHERE b.post_id = p.id;

    -- Ended projects, ended the way Moa ends them: the day after their last
    -- day, settlement paid the publishers of those that met their target
    -- (their backings paid out) and cancelled the rest (they had no
    -- backers to refund); some publishers closed their successful project
    -- afterwards.
    FOR money IN
        SELECT p.id, p.publisher_id, p.total_amount, p.backer_count, p.end_date,
               e.value AS ending
          FROM jsonb_each_text(endings) e JOIN posts p ON p.id = e.key::bigint
         ORDER BY p.end_date, p.id
    LOOP
        IF money.ending IN ('SUCCESS', 'CLOSE') THEN
            UPDATE posts SET status = 'SUCCESS' WHERE id = money.id;
            UPDATE backings b SET status = 'PAID_OUT', ended_at = (money.end_date + 1)::timestamp AT TIME ZONE 'Asia/Seoul'
             WHERE b.post_id = money.id AND b.status = 'ACTIVE';
            IF money.total_amount > 0 THEN
                PERFORM ledger_append(money.publisher_id, 'PAYOUT', money.total_amount, money.id, NULL,
                                      (money.end_date + 1)::timestamp AT TIME ZONE 'Asia/Seoul');
            END IF;
            INSERT INTO post_transitions (post_id, from_status, to_status, actor, actor_account_id,
                                          happened_at, amount_moved, backings_moved)
            VALUES (money.id, 'FUNDING', 'SUCCESS', 'SETTLEMENT', NULL,
                    (money.end_date + 1)::timestamp AT TIME ZONE 'Asia/Seoul', money.total_amount, money.backer_count);
        END IF;
        IF money.ending = 'CLOSE' THEN
            UPDATE posts SET status = 'CLOSE' WHERE id = money.id;
            INSERT INTO post_transitions (post_id, from_status, to_status, actor, actor_account_id,
                                          happened_at, amount_moved, backings_moved)
            VALUES (money.id, 'SUCCESS', 'CLOSE', 'OWNER', money.publisher_id,
                    (money.end_date + 1)::timestamp AT TIME ZONE 'Asia/Seoul' + interval '2 hours', 0, 0);
        END IF;
        IF money.ending = 'CANCEL' THEN
            UPDATE posts SET status = 'CANCEL' WHERE id = money.id;
            INSERT INTO post_transitions (post_id, from_status, to_status, actor, actor_account_id,
                                          happened_at, amount_moved, backings_moved)
            VALUES (money.id, 'FUNDING', 'CANCEL', 'SETTLEMENT', NULL,
                    (money.end_date + 1)::timestamp AT TIME ZONE 'Asia/Seoul', 0, 0);
        END IF;
    END LOOP;
END
$$;
