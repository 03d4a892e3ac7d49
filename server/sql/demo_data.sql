-- Demo data for `make run`: 44 projects in all four statuses, Korean and
-- English titles, 8 publishers, 60 backers and their backings; pockets for
-- the two accounts people can log in as.
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
            WHEN status = 'SUCCESS' THEN greatest(10000, (backers * price / 20000) * 10000)
            -- A few runaway hits, far past their target.
            WHEN i % 8 = 5 THEN greatest(10000, (backers * price / 40000) * 10000)
            ELSE 100000 * (1 + (i * 37) % 50)
        END;
        end_on := CASE
            WHEN status IN ('SUCCESS', 'CANCEL') THEN today - (1 + i % 20)
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
            status,
            now() - make_interval(hours => 9 * (array_length(titles, 1) - i))
        )
        RETURNING id INTO new_id;

        FOR k IN 0..backers - 1 LOOP
            INSERT INTO backings (post_id, backer_id, amount, created_at)
            VALUES (new_id, backer_ids[1 + (i * 7 + k) % 60], price, now() - make_interval(mins => 37 * k));
        END LOOP;
    END LOOP;

    UPDATE posts p
       SET total_amount = b.total, backer_count = b.count
      FROM (SELECT post_id, sum(amount)::bigint AS total, count(*) AS count FROM backings GROUP BY post_id) b
     WHERE b.post_id = p.id;

    -- The two accounts people can log in as (their password is set by
    -- server::demo) get pockets: the backer with money to spend.
    INSERT INTO pockets (account_id, bank, account_number, balance)
    SELECT id, 'KAKAO', '3333012345678', 300000 FROM accounts WHERE username = 'demo_backer_1';
    INSERT INTO ledger_entries (account_id, kind, amount, balance_after)
    SELECT id, 'DEPOSIT', 300000, 300000 FROM accounts WHERE username = 'demo_backer_1';
    INSERT INTO pockets (account_id, bank, account_number)
    SELECT id, 'SHINHAN', '110123456789' FROM accounts WHERE username = 'demo_publisher_4';
END
$$;
