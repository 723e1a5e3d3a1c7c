-- Demo history: a year of marketplace life on top of the demo catalogue (`seed_demo`).
--
-- Run inside one transaction after `seed_demo`, once the caller has made
--   CREATE TEMP TABLE demo_params ON COMMIT DROP AS SELECT <N>::int AS n, '<hash>'::text AS password_hash;
-- N is the number of orders to create. Idempotent: when a demo buyer exists, nothing happens.
--
-- What it makes (N orders in all):
--   * buyers demo_buyer_K (max(10, N/20)), joined over the past 14 months, each with a default
--     address (some with a second one); one of them blocked after three unpaid auction wins;
--   * auctions: max(5, N/50) ended in the past year (most sold, some unsold), 4 auction wins left
--     unpaid (payment violations), max(3, N/1000) active auctions with 2-5 bids and 2 without;
--   * the auction orders of the won auctions, and fixed-price / cart orders making up the rest,
--     spread over the past 365 days (growing, weekly rhythm), with their items, per-seller money
--     (2% commission, half up per seller), payments, payouts, shipping and a few refunds;
--   * reviews, seller feedback (and the profiles' cached ratings), complaints, conversations,
--     notifications, wishlists and carts (lines without stock holds).
-- The demo catalogue's timestamps are moved back so every product predates its first sale.
-- Deterministic: the random sequence is seeded first.

SELECT setseed(0.42);

DO $demo$
DECLARE
    v_n int := (SELECT n FROM demo_params);
    v_hash text := (SELECT password_hash FROM demo_params);
    v_now timestamptz := now();
    v_today date := (now() AT TIME ZONE 'Asia/Karachi')::date;
    v_buyers int;
    v_early int;
    v_ended int;
    v_active_bid int;
    v_active_empty int := 2;
    v_viol int := 4;
    v_auction_orders int;
    v_m int;
    v_pending int;
    v_regular int;
    v_refunds int;
    v_l int;
    v_lav int;
    v_s int;
    v_cities bigint[];
    v_cats bigint[];
    v_blocked bigint;
    v_violator bigint;
    v_first text[] := ARRAY['Ahmed', 'Ali', 'Ayesha', 'Fatima', 'Hamza', 'Hassan', 'Bilal', 'Usman',
        'Zainab', 'Sana', 'Maryam', 'Imran', 'Faisal', 'Kashif', 'Nadia', 'Hira', 'Sadia', 'Asad',
        'Omar', 'Saad', 'Farhan', 'Rabia', 'Amna', 'Iqra', 'Mahnoor', 'Zoya', 'Danish', 'Waqas',
        'Shahid', 'Noor', 'Kiran', 'Sobia', 'Junaid', 'Adeel', 'Rizwan', 'Tariq', 'Sidra', 'Mehwish',
        'Anum', 'Areeba', 'Hina', 'Kamran', 'Nabeel', 'Saima', 'Yasir', 'Arslan', 'Shazia', 'Fahad'];
    v_last text[] := ARRAY['Khan', 'Ahmed', 'Malik', 'Hussain', 'Qureshi', 'Sheikh', 'Butt',
        'Chaudhry', 'Raza', 'Iqbal', 'Siddiqui', 'Shah', 'Abbasi', 'Awan', 'Baloch', 'Memon',
        'Jatoi', 'Mirza', 'Rana', 'Bhatti', 'Gill', 'Cheema', 'Javed', 'Aslam', 'Rehman', 'Akhtar',
        'Haider', 'Zaidi', 'Naqvi', 'Soomro', 'Khattak', 'Yousafzai', 'Durrani', 'Kazmi', 'Farooqi'];
    v_areas text[] := ARRAY['Gulberg III', 'Model Town', 'DHA Phase 5', 'Johar Town', 'Clifton Block 4',
        'Gulshan-e-Iqbal Block 13', 'F-7/2', 'G-9/3', 'Satellite Town', 'Cantt', 'Hayatabad Phase 3',
        'Saddar', 'Bahria Town', 'Wapda Town', 'Garden Town', 'PECHS Block 2', 'North Nazimabad',
        'University Town', 'Samanabad', 'Latifabad Unit 7', 'Jinnah Colony', 'Shadman'];
    v_lots text[] := ARRAY['Antique brass samovar', 'Hand-knotted Bokhara rug', 'Multani blue pottery urn',
        'Chiniot carved chest', 'Swati embroidered shawl', 'Sindhi ralli quilt', 'Kashmiri pashmina shawl',
        'Hala lacquered jhoola', 'Onyx chess set', 'Camel bone jewellery box', 'Truck art rickshaw model',
        'Peshawari copper tray', 'Nastaliq calligraphy panel', 'Mughal miniature painting',
        'Silver Balochi necklace', 'Walnut wood jewellery chest'];
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE email LIKE 'demo\_buyer\_%@demo.madeinpk.pk') THEN
        RAISE NOTICE 'demo history already present: nothing to do';
        RETURN;
    END IF;
    IF v_n IS NULL OR v_n < 1 THEN
        RAISE EXCEPTION 'demo_params.n must be at least 1';
    END IF;
    -- Bulk statements over fresh temp tables: JIT compiling them costs more than running them
    -- (for this transaction only).
    PERFORM set_config('jit', 'off', true);

    v_buyers := greatest(10, v_n / 20);
    v_early := greatest(3, v_buyers / 10);
    v_ended := greatest(5, v_n / 50);
    v_active_bid := greatest(3, v_n / 1000);
    v_refunds := greatest(2, v_n / 500);

    SELECT array_agg(id ORDER BY id) INTO v_cities FROM cities;
    IF v_cities IS NULL THEN
        RAISE EXCEPTION 'demo history needs the reference data (cities): seed it first';
    END IF;
    SELECT array_agg(id ORDER BY id) INTO v_cats FROM categories WHERE parent_id IS NOT NULL;
    IF v_cats IS NULL THEN
        SELECT array_agg(id ORDER BY id) INTO v_cats FROM categories;
    END IF;

    ------------------------------------------------------------------------------------------
    -- Demo sellers: joined 14-15 months ago, named, half verified, payout accounts connected.
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_sel ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY u.id)::int AS rn, u.id,
           least(u.created_at, v_now - (425 + 30 * random()) * interval '1 day') AS created_at
    FROM users u
    WHERE u.email LIKE 'demo\_seller\_%@demo.madeinpk.pk'
    ORDER BY u.id;
    SELECT count(*) INTO v_s FROM h_sel;
    IF v_s = 0 THEN
        RAISE EXCEPTION 'demo history needs the demo catalogue: run seed_demo first';
    END IF;

    UPDATE users u SET
        created_at = s.created_at,
        updated_at = greatest(u.updated_at, s.created_at),
        first_name = CASE WHEN u.first_name = '' THEN v_first[1 + (s.rn * 7) % array_length(v_first, 1)] ELSE u.first_name END,
        last_name = CASE WHEN u.last_name = '' THEN v_last[1 + (s.rn * 5) % array_length(v_last, 1)] ELSE u.last_name END,
        phone_number = CASE WHEN u.phone_number = '' THEN '03' || lpad((300000000 + s.rn * 7919137)::text, 9, '0') ELSE u.phone_number END,
        stripe_account_id = coalesce(u.stripe_account_id, 'acct_demo_' || lpad(s.rn::text, 4, '0'))
    FROM h_sel s WHERE s.id = u.id;

    UPDATE seller_profiles sp SET
        is_verified = sp.is_verified OR s.rn % 2 = 1,
        biography = CASE WHEN sp.biography = '' THEN
            'Family workshop keeping traditional Pakistani crafts alive: every piece is made by hand.'
            ELSE sp.biography END,
        business_phone = CASE WHEN sp.business_phone = '' THEN '042' || lpad((3500000 + s.rn * 104729)::text, 8, '0') ELSE sp.business_phone END,
        created_at = least(sp.created_at, s.created_at + interval '1 hour'),
        updated_at = greatest(sp.updated_at, s.created_at + interval '1 hour')
    FROM h_sel s WHERE s.id = sp.user_id;

    INSERT INTO payout_accounts (user_id, account_id, details_submitted, charges_enabled,
                                 payouts_enabled, created_at, updated_at)
    SELECT s.id, u.stripe_account_id, true, true, true, s.created_at + interval '2 hours',
           s.created_at + interval '2 hours'
    FROM h_sel s JOIN users u ON u.id = s.id
    WHERE u.stripe_account_id IS NOT NULL
    ON CONFLICT DO NOTHING;

    ------------------------------------------------------------------------------------------
    -- Buyers: more of them joined recently; the first few before the year of orders began.
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_buyer ON COMMIT DROP AS
    SELECT nextval('users_id_seq') AS id, k,
           v_first[1 + floor(random() * array_length(v_first, 1))::int] AS first_name,
           v_last[1 + floor(random() * array_length(v_last, 1))::int] AS last_name,
           '03' || lpad(floor(random() * 1000000000)::bigint::text, 9, '0') AS phone,
           CASE WHEN random() < 0.06 THEN 'both' ELSE 'buyer' END AS role,
           v_now - (CASE WHEN k <= v_early THEN 366 + 58 * random()
                         ELSE 400 * (1 - sqrt(random())) + 0.01 END) * interval '1 day' AS created_at,
           v_cities[1 + floor(random() * array_length(v_cities, 1))::int] AS city_id,
           random() < 0.2 AS second_address,
           v_cities[1 + floor(random() * array_length(v_cities, 1))::int] AS city2_id
    FROM generate_series(1, v_buyers) k
    ORDER BY k;
    v_blocked := (SELECT id FROM h_buyer WHERE k = 2);
    v_violator := (SELECT id FROM h_buyer WHERE k = 3);

    INSERT INTO users (id, username, email, password_hash, first_name, last_name, phone_number,
                       role, is_blocked, failed_payment_count, created_at, updated_at)
    SELECT id, 'demo_buyer_' || k, 'demo_buyer_' || k || '@demo.madeinpk.pk', v_hash, first_name,
           last_name, phone, role, false, 0, created_at, created_at
    FROM h_buyer ORDER BY k;

    CREATE TEMP TABLE h_addr ON COMMIT DROP AS
    SELECT nextval('addresses_id_seq') AS id, b.id AS user_id, x.is_default,
           CASE WHEN x.is_default THEN b.city_id ELSE b.city2_id END AS city_id,
           'House ' || (1 + floor(random() * 400))::int || ', Street ' || (1 + floor(random() * 40))::int
               || ', ' || v_areas[1 + floor(random() * array_length(v_areas, 1))::int] AS street,
           (10000 + floor(random() * 89999))::int::text AS postal,
           b.created_at + CASE WHEN x.is_default THEN interval '12 minutes'
                               ELSE (v_now - b.created_at) * random() END AS created_at
    FROM h_buyer b
    CROSS JOIN LATERAL (VALUES (true), (false)) x(is_default)
    WHERE x.is_default OR b.second_address
    ORDER BY b.k, x.is_default DESC;

    INSERT INTO addresses (id, user_id, street_address, city_id, postal_code, is_default, created_at, updated_at)
    SELECT id, user_id, street, city_id, postal, is_default, created_at, created_at FROM h_addr ORDER BY id;

    -- Who places orders (the buyer blocked later never does), by joining date.
    CREATE TEMP TABLE h_pool ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY b.created_at, b.id)::int AS rn, b.id, b.k, b.created_at, a.id AS addr_id
    FROM h_buyer b JOIN h_addr a ON a.user_id = b.id AND a.is_default
    WHERE b.id <> v_blocked;
    CREATE INDEX ON h_pool (created_at);
    CREATE INDEX ON h_pool (rn);
    ANALYZE h_pool;

    ------------------------------------------------------------------------------------------
    -- The demo listings, in a fixed shuffled order (low ranks sell more).
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_lst ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY md5('demo-listing-' || l.id), l.id)::int AS rn,
           l.id AS listing_id, p.id AS product_id, p.seller_id, p.name::text AS name, l.price,
           l.quantity - l.reserved_quantity AS available
    FROM listings l
    JOIN products p ON p.id = l.product_id
    JOIN h_sel s ON s.id = p.seller_id
    WHERE l.status = 'active';
    SELECT count(*) INTO v_l FROM h_lst;
    IF v_l = 0 THEN
        RAISE EXCEPTION 'demo history needs active demo listings: run seed_demo first';
    END IF;
    CREATE INDEX ON h_lst (rn);
    ANALYZE h_lst;
    -- Listings with stock to spare, for the orders still holding units (pending payment).
    CREATE TEMP TABLE h_lav ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY rn)::int AS rn2, * FROM h_lst WHERE available >= 3;
    SELECT count(*) INTO v_lav FROM h_lav;
    IF v_lav = 0 THEN
        DROP TABLE h_lav;
        CREATE TEMP TABLE h_lav ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY rn)::int AS rn2, * FROM h_lst WHERE available >= 1;
        SELECT count(*) INTO v_lav FROM h_lav;
    END IF;

    ------------------------------------------------------------------------------------------
    -- Auctions: ended ones over the year, four unpaid wins, active ones with and without bids.
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_auc0 ON COMMIT DROP AS
    SELECT ka,
           CASE WHEN ka <= v_ended THEN 'ended'
                WHEN ka <= v_ended + v_viol THEN 'violation'
                WHEN ka <= v_ended + v_viol + v_active_bid THEN 'active'
                ELSE 'empty' END AS kind,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
           random() AS r6, random() AS r7, random() AS r8
    FROM generate_series(1, v_ended + v_viol + v_active_bid + v_active_empty) ka;

    CREATE TEMP TABLE h_auc1 ON COMMIT DROP AS
    SELECT a.*, s.id AS seller_id,
           v_cats[1 + floor(a.r6 * array_length(v_cats, 1))::int] AS category_id,
           v_lots[1 + floor(a.r7 * array_length(v_lots, 1))::int] || ' (auction lot ' || a.ka || ')' AS name,
           (ARRAY['new', 'like_new', 'good', 'fair'])[1 + floor(a.r8 * 4)::int] AS condition,
           (round((1500 + 40000 * power(a.r2, 2)) / 100) * 100)::numeric(12, 2) AS starting_price,
           CASE a.kind
               WHEN 'ended' THEN v_now - ((CASE WHEN a.r3 < 0.25 THEN 360 * a.r4 ELSE 360 * (1 - sqrt(a.r4)) END) + 0.02) * interval '1 day'
               WHEN 'violation' THEN v_now - ((ARRAY[200, 150, 100, 60])[a.ka - v_ended] + a.r3) * interval '1 day'
               WHEN 'active' THEN v_now + (1 + 4 * a.r3) * interval '1 day'
               ELSE v_now + (2 + 3 * a.r3) * interval '1 day' END AS end_time,
           CASE a.kind
               WHEN 'ended' THEN CASE WHEN a.r5 < 0.08 THEN 'nobids' WHEN a.r5 < 0.16 THEN 'reserve' ELSE 'won' END
               WHEN 'violation' THEN 'violation'
               WHEN 'active' THEN 'active'
               ELSE 'empty' END AS outcome,
           CASE WHEN a.kind <> 'violation' THEN NULL
                WHEN a.ka - v_ended <= 3 THEN v_blocked ELSE v_violator END AS designated
    FROM h_auc0 a
    JOIN h_sel s ON s.rn = 1 + floor(a.r1 * v_s)::int;

    CREATE TEMP TABLE h_auc ON COMMIT DROP AS
    SELECT nextval('products_id_seq') AS product_id, nextval('auctions_id_seq') AS id, x.*
    FROM (
        SELECT a.*,
               CASE a.kind
                   WHEN 'active' THEN v_now - (1 + 3 * random()) * interval '1 day'
                   WHEN 'empty' THEN v_now - (0.1 + 1.9 * random()) * interval '1 day'
                   ELSE a.end_time - (3 + 7 * random()) * interval '1 day' END AS start_time,
               CASE WHEN a.outcome IN ('nobids', 'empty') THEN 0
                    WHEN a.outcome = 'active' THEN 2 + floor(random() * 4)::int
                    ELSE 2 + floor(random() * 7)::int END AS n_bids,
               random() AS rr, random() AS rp
        FROM h_auc1 a
    ) x
    ORDER BY x.start_time, x.ka;
    ANALYZE h_auc;

    -- Who bid: up to four distinct buyers who had joined; a violation's winner bids first in
    -- the list (index 0) so the last bid is theirs.
    CREATE TEMP TABLE h_part ON COMMIT DROP AS
    SELECT a.ka, 0 AS j, a.designated AS buyer_id FROM h_auc a WHERE a.designated IS NOT NULL
    UNION ALL
    SELECT a.ka, (row_number() OVER (PARTITION BY a.ka ORDER BY c.ord))::int - CASE WHEN a.designated IS NULL THEN 1 ELSE 0 END,
           c.id
    FROM h_auc a
    CROSS JOIN LATERAL (
        SELECT p.id, random() AS ord FROM h_pool p
        WHERE p.created_at < a.start_time AND p.id IS DISTINCT FROM a.designated
        ORDER BY 2 LIMIT least(a.n_bids, 2 + floor(a.rp * 3)::int) - CASE WHEN a.designated IS NULL THEN 0 ELSE 1 END
    ) c
    WHERE a.n_bids > 0;

    CREATE TEMP TABLE h_bid ON COMMIT DROP AS
    WITH pc AS (SELECT ka, count(*)::int AS p FROM h_part GROUP BY ka),
    raw AS (
        SELECT a.ka, a.id AS auction_id, i, a.n_bids, pc.p,
               greatest(10, round(a.starting_price * (0.02 + 0.08 * random()) / 10) * 10) AS inc,
               a.start_time + (least(a.end_time, v_now - interval '5 minutes') - a.start_time)
                   * ((i - 1 + 0.1 + 0.8 * random()) / a.n_bids) AS bid_time,
               a.starting_price
        FROM h_auc a
        JOIN pc ON pc.ka = a.ka
        CROSS JOIN LATERAL generate_series(1, a.n_bids) i
    ),
    priced AS (
        SELECT r.*, pt.buyer_id AS bidder_id,
               (r.starting_price + sum(r.inc) OVER (PARTITION BY r.ka ORDER BY r.i))::numeric(12, 2) AS amount
        FROM raw r
        JOIN h_part pt ON pt.ka = r.ka AND pt.j = (r.n_bids - r.i) % r.p
    )
    SELECT nextval('bids_id_seq') AS id, q.*
    FROM (SELECT * FROM priced ORDER BY ka, i) q;

    -- Final state of each auction from its bids.
    CREATE TEMP TABLE h_auc_state ON COMMIT DROP AS
    SELECT a.ka,
           count(b.id)::int AS total_bids,
           max(b.amount) AS top,
           (array_agg(b.bidder_id ORDER BY b.i DESC))[1] AS leader_id,
           (array_agg(b.bidder_id ORDER BY b.i DESC))[2] AS previous_leader_id,
           (array_agg(b.id ORDER BY b.i DESC))[1] AS winning_bid_id,
           max(b.bid_time) AS last_bid
    FROM h_auc a LEFT JOIN h_bid b ON b.ka = a.ka
    GROUP BY a.ka;

    ALTER TABLE h_auc ADD COLUMN current_price numeric(12, 2), ADD COLUMN total_bids int,
        ADD COLUMN leader_id bigint, ADD COLUMN previous_leader_id bigint, ADD COLUMN winning_bid_id bigint,
        ADD COLUMN reserve_price numeric(12, 2), ADD COLUMN winner_id bigint, ADD COLUMN status text,
        ADD COLUMN order_outcome text, ADD COLUMN paid_at timestamptz, ADD COLUMN updated_at timestamptz;

    UPDATE h_auc a SET
        current_price = coalesce(st.top, a.starting_price),
        total_bids = st.total_bids,
        leader_id = st.leader_id,
        previous_leader_id = st.previous_leader_id,
        winning_bid_id = st.winning_bid_id,
        reserve_price = CASE
            WHEN a.outcome = 'won' AND a.rr < 0.3 THEN least(round(a.starting_price * 1.25 / 100) * 100, st.top)
            WHEN a.outcome = 'reserve' THEN st.top + greatest(100, round(a.starting_price * 0.3 / 100) * 100)
            WHEN a.outcome IN ('nobids', 'empty') AND a.rr < 0.35 THEN round(a.starting_price * 1.2 / 100) * 100
            ELSE NULL END,
        winner_id = CASE WHEN a.outcome IN ('won', 'violation') THEN st.leader_id END,
        order_outcome = CASE
            WHEN a.outcome = 'violation' THEN 'payment_failed'
            WHEN a.outcome = 'won' AND a.end_time > v_now - interval '24 hours' AND a.rr < 0.6 THEN 'pending'
            WHEN a.outcome = 'won' THEN 'paid' END,
        updated_at = coalesce(st.last_bid, a.start_time)
    FROM h_auc_state st WHERE st.ka = a.ka;

    UPDATE h_auc SET paid_at = end_time + least((0.5 + 20 * random()) * interval '1 hour', (v_now - end_time) * 0.7)
    WHERE order_outcome = 'paid';

    UPDATE h_auc SET
        status = CASE
            WHEN outcome IN ('active', 'empty') THEN 'active'
            WHEN order_outcome = 'paid' THEN 'completed'
            WHEN order_outcome = 'payment_failed' THEN 'cancelled'
            ELSE 'ended' END,
        updated_at = CASE
            WHEN outcome IN ('active', 'empty') THEN updated_at
            WHEN order_outcome = 'paid' THEN paid_at
            WHEN order_outcome = 'payment_failed' THEN end_time + interval '24 hours 3 minutes'
            ELSE end_time + interval '4 seconds' END;

    INSERT INTO products (id, seller_id, category_id, name, description, condition, listing_type, created_at, updated_at)
    SELECT product_id, seller_id, category_id, name,
           'One of a kind, handmade and offered by auction (demo lot ' || ka || ').',
           condition, 'auction', start_time - interval '3 hours', start_time - interval '3 hours'
    FROM h_auc ORDER BY product_id;

    INSERT INTO auctions (id, product_id, starting_price, current_price, reserve_price, start_time, end_time,
                          status, winner_id, total_bids, leader_id, previous_leader_id, winning_bid_id,
                          created_at, updated_at)
    SELECT id, product_id, starting_price, current_price, reserve_price, start_time, end_time,
           status, winner_id, total_bids, leader_id, previous_leader_id, winning_bid_id,
           start_time - interval '3 hours', updated_at
    FROM h_auc ORDER BY id;

    INSERT INTO bids (id, auction_id, bidder_id, amount, bid_time, outbid_notified)
    SELECT id, auction_id, bidder_id, amount, bid_time, i < n_bids FROM h_bid ORDER BY id;

    -- The end of each active auction is queued, as creating one does.
    INSERT INTO jobs (kind, payload, run_at, unique_key, created_at, updated_at)
    SELECT 'end_auction',
           jsonb_build_object('kind', 'end_auction', 'data', jsonb_build_object('auction', id)),
           end_time,
           'end:' || id || ':' || (extract(epoch FROM end_time) * 1000000)::bigint,
           start_time - interval '3 hours', start_time - interval '3 hours'
    FROM h_auc WHERE status = 'active'
    ON CONFLICT (unique_key) DO NOTHING;

    SELECT count(*) INTO v_auction_orders FROM h_auc WHERE order_outcome IS NOT NULL;
    v_m := greatest(0, v_n - v_auction_orders);
    v_pending := least(greatest(2, v_n / 1000), v_m);
    v_regular := v_m - v_pending;

    ------------------------------------------------------------------------------------------
    -- Fixed-price and cart orders: when (growth over the year, weekday and evening rhythm, in
    -- Pakistan time), by whom (buyers who had joined), what kind.
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_times ON COMMIT DROP AS
    WITH c AS (
        SELECT g,
               CASE WHEN random() < 0.25 THEN 364 * random() ELSE 364 * (1 - sqrt(random())) END AS dago,
               9 + floor(14.99 * power(random(), 0.55))::int AS hh,
               floor(random() * 60)::int AS mi,
               floor(random() * 60)::int AS ss,
               random() AS acc
        FROM generate_series(1, v_regular * 2 + 50) g
    ), d AS (
        SELECT g, v_today - floor(dago)::int AS day, hh, mi, ss, acc FROM c
    ), t AS (
        SELECT g, ((day + make_time(hh, mi, ss)) AT TIME ZONE 'Asia/Karachi') AS ts
        FROM d
        -- Sunday busiest, Friday quietest.
        WHERE acc < (ARRAY[1.0, 0.86, 0.8, 0.78, 0.84, 0.64, 0.93])[extract(dow FROM day)::int + 1]
    )
    SELECT CASE WHEN ts > v_now - interval '40 minutes' THEN ts - interval '1 day' ELSE ts END AS created_at
    FROM t ORDER BY g LIMIT v_regular;

    CREATE TEMP TABLE h_reg ON COMMIT DROP AS
    SELECT r.created_at, r.pending,
           CASE WHEN random() < 0.58 THEN 'fixed_price' ELSE 'cart' END AS kind,
           random() AS r_status, random() AS r_buyer, random() AS r_items,
           coalesce((SELECT p.rn FROM h_pool p WHERE p.created_at < r.created_at ORDER BY p.created_at DESC, p.rn DESC LIMIT 1), 0) AS cnt
    FROM (
        SELECT created_at, false AS pending FROM h_times
        UNION ALL
        SELECT v_now - (2 + 25 * random()) * interval '1 minute', true FROM generate_series(1, v_pending)
    ) r;

    CREATE TEMP TABLE h_ord ON COMMIT DROP AS
    SELECT nextval('orders_id_seq') AS id, q.*
    FROM (
        SELECT r.kind, p.id AS buyer_id, p.addr_id, NULL::bigint AS auction_id, r.created_at,
               r.created_at + interval '30 minutes' AS deadline,
               r.pending,
               CASE WHEN r.pending THEN 'pending'
                    WHEN r.r_status < 0.05 THEN 'cancelled'
                    WHEN r.r_status < 0.09 THEN 'payment_failed'
                    ELSE 'paid' END AS outcome,
               CASE WHEN r.kind = 'fixed_price' THEN 1 ELSE 1 + floor(3 * power(r.r_items, 1.5))::int END AS n_items
        FROM h_reg r
        JOIN h_pool p ON p.rn = 1 + floor(greatest(r.cnt, 1) * power(r.r_buyer, 1.25))::int
        UNION ALL
        SELECT 'auction', a.winner_id, (SELECT ad.id FROM h_addr ad WHERE ad.user_id = a.winner_id AND ad.is_default),
               a.id, a.end_time + interval '4 seconds', a.end_time + interval '24 hours 4 seconds',
               a.order_outcome = 'pending', a.order_outcome, 1
        FROM h_auc a WHERE a.order_outcome IS NOT NULL
    ) q
    ORDER BY q.created_at;

    ALTER TABLE h_ord ADD COLUMN paid_at timestamptz, ADD COLUMN cancelled_at timestamptz,
        ADD COLUMN shipped_at timestamptz, ADD COLUMN delivered_at timestamptz, ADD COLUMN status text,
        ADD COLUMN total numeric(12, 2), ADD COLUMN fee numeric(12, 2), ADD COLUMN seller_amount numeric(12, 2),
        ADD COLUMN seller_id bigint, ADD COLUMN product_id bigint, ADD COLUMN quantity int,
        ADD COLUMN unit_price numeric(12, 2), ADD COLUMN refunded_at timestamptz, ADD COLUMN number text;
    UPDATE h_ord o SET
        number = (CASE o.kind WHEN 'fixed_price' THEN 'FXD' WHEN 'cart' THEN 'CART' ELSE 'AUC' END)
                 || '-' || upper(substr(md5('madeinpk-demo-order-' || o.id), 1, 12)),
        paid_at = CASE
            WHEN o.outcome <> 'paid' THEN NULL
            WHEN o.auction_id IS NOT NULL THEN (SELECT a.paid_at FROM h_auc a WHERE a.id = o.auction_id)
            ELSE o.created_at + (1 + 14 * random()) * interval '1 minute' END,
        cancelled_at = CASE
            WHEN o.outcome = 'cancelled' THEN o.created_at + (2 + 25 * random()) * interval '1 minute'
            WHEN o.outcome = 'payment_failed' THEN o.deadline + (1 + 9 * random()) * interval '1 minute' END;
    CREATE INDEX ON h_ord (id);
    ANALYZE h_ord;

    -- Lines: a fixed-price order one listing, a cart one to three; popular listings sell more.
    -- Orders still waiting for payment take listings with stock to spare (their units are taken).
    CREATE TEMP TABLE h_item ON COMMIT DROP AS
    WITH picks AS MATERIALIZED (
        SELECT o.id AS order_id, o.kind, o.pending,
               CASE WHEN o.pending THEN 1 + floor(v_lav * random())::int
                    ELSE 1 + floor(v_l * power(random(), 1.7))::int END AS pick,
               CASE WHEN o.pending THEN 1
                    WHEN random() < 0.86 THEN 1 WHEN random() < 0.8 THEN 2 ELSE 3 END AS quantity
        FROM h_ord o CROSS JOIN LATERAL generate_series(1, o.n_items) g
        WHERE o.auction_id IS NULL
    ), lines AS (
        SELECT DISTINCT ON (pk.order_id, l.listing_id)
               pk.order_id, l.listing_id, l.product_id, l.seller_id, l.name, l.price AS unit_price, pk.quantity
        FROM picks pk
        JOIN h_lst l ON l.rn = pk.pick AND NOT pk.pending
        UNION ALL
        SELECT DISTINCT ON (pk.order_id, l.listing_id)
               pk.order_id, l.listing_id, l.product_id, l.seller_id, l.name, l.price, pk.quantity
        FROM picks pk
        JOIN h_lav l ON l.rn2 = pk.pick AND pk.pending
    )
    SELECT nextval('order_items_id_seq') AS id, q.*
    FROM (
        SELECT order_id, listing_id, product_id, seller_id, name, quantity, unit_price,
               (unit_price * quantity)::numeric(12, 2) AS subtotal
        FROM lines
        UNION ALL
        SELECT o.id, NULL, a.product_id, a.seller_id, a.name, 1, a.current_price, a.current_price
        FROM h_ord o JOIN h_auc a ON a.id = o.auction_id
        ORDER BY 1, 2
    ) q;
    -- Pending lines on the same listing: keep each listing's units within its stock.
    DELETE FROM h_item i USING (
        SELECT i2.id, sum(i2.quantity) OVER (PARTITION BY i2.listing_id ORDER BY i2.id) AS running, l.available
        FROM h_item i2 JOIN h_ord o ON o.id = i2.order_id AND o.pending AND o.auction_id IS NULL
        JOIN h_lst l ON l.listing_id = i2.listing_id
    ) x
    WHERE x.id = i.id AND x.running > x.available;
    DELETE FROM h_ord o WHERE NOT EXISTS (SELECT 1 FROM h_item i WHERE i.order_id = o.id);
    CREATE INDEX ON h_item (order_id);
    ANALYZE h_item;

    -- Each seller's money in each order: 2% commission, half up per seller, as checkout does.
    CREATE TEMP TABLE h_os ON COMMIT DROP AS
    SELECT x.*, round(x.subtotal * 200 / 10000, 2) AS fee,
           x.subtotal - round(x.subtotal * 200 / 10000, 2) AS seller_amount,
           o.paid_at + (0.3 + 3.5 * random()) * interval '1 day' AS ship_at
    FROM (SELECT order_id, seller_id, sum(subtotal)::numeric(12, 2) AS subtotal
          FROM h_item GROUP BY order_id, seller_id) x
    JOIN h_ord o ON o.id = x.order_id;
    UPDATE h_os SET ship_at = NULL WHERE ship_at IS NULL OR ship_at > v_now - interval '5 minutes';
    CREATE INDEX ON h_os (order_id, seller_id);
    ANALYZE h_os;

    UPDATE h_ord o SET
        total = m.total, fee = m.fee, seller_amount = m.seller_amount,
        shipped_at = CASE WHEN m.all_shipped THEN m.last_ship END
    FROM (SELECT order_id, sum(subtotal) AS total, sum(fee) AS fee, sum(seller_amount) AS seller_amount,
                 bool_and(ship_at IS NOT NULL) AS all_shipped, max(ship_at) AS last_ship
          FROM h_os GROUP BY order_id) m
    WHERE m.order_id = o.id;

    UPDATE h_ord o SET seller_id = i.seller_id, product_id = i.product_id, quantity = i.quantity, unit_price = i.unit_price
    FROM h_item i WHERE i.order_id = o.id AND o.kind <> 'cart';
    UPDATE h_ord SET quantity = 1 WHERE kind = 'cart';

    UPDATE h_ord SET delivered_at = x.d
    FROM (SELECT id AS oid, shipped_at + (2 + 5 * random()) * interval '1 day' AS d, random() AS r FROM h_ord
          WHERE shipped_at IS NOT NULL) x
    WHERE x.oid = h_ord.id AND x.d < v_now - interval '5 minutes' AND x.r < 0.96;

    UPDATE h_ord SET status = CASE
        WHEN outcome = 'pending' THEN 'pending_payment'
        WHEN outcome IN ('cancelled', 'payment_failed') THEN outcome
        WHEN delivered_at IS NOT NULL THEN 'delivered'
        WHEN shipped_at IS NOT NULL THEN 'shipped'
        ELSE 'paid' END;

    -- A few delivered orders refunded in full by an operator.
    UPDATE h_ord SET status = 'refunded',
        refunded_at = delivered_at + least((1 + 4 * random()) * interval '1 day', (v_now - delivered_at) * 0.5)
    WHERE id IN (SELECT id FROM h_ord WHERE status = 'delivered' AND auction_id IS NULL
                   AND delivered_at < v_now - interval '5 days'
                 ORDER BY md5('demo-refund-' || id) LIMIT v_refunds);

    ------------------------------------------------------------------------------------------
    -- The orders as the application stores them.
    ------------------------------------------------------------------------------------------
    INSERT INTO orders (id, order_number, buyer_id, order_type, seller_id, product_id, auction_id, quantity,
                        unit_price, total_amount, platform_fee, seller_amount, currency, shipping_address_id,
                        status, payment_reference, payment_url, payment_deadline, idempotency_key, paid_at,
                        shipped_at, delivered_at, cancelled_at, created_at, updated_at)
    SELECT id, number, buyer_id, kind, seller_id, product_id, auction_id, quantity,
           unit_price, total, fee, seller_amount, 'PKR', addr_id,
           status,
           CASE WHEN paid_at IS NOT NULL THEN 'pi_demo_' || substr(md5('pi-' || id), 1, 24)
                WHEN auction_id IS NULL AND NOT pending THEN 'cs_demo_' || substr(md5('cs-' || id), 1, 24)
                ELSE '' END,
           '', deadline, NULL, paid_at, shipped_at, delivered_at, cancelled_at, created_at,
           greatest(created_at, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at)
    FROM h_ord ORDER BY id;

    INSERT INTO order_items (id, order_id, product_id, listing_id, seller_id, product_name, quantity, unit_price,
                             subtotal, is_shipped, shipped_at, tracking_number, created_at, refunded_quantity)
    SELECT i.id, i.order_id, i.product_id, i.listing_id, i.seller_id, i.name, i.quantity, i.unit_price,
           i.subtotal, s.ship_at IS NOT NULL, s.ship_at,
           CASE WHEN s.ship_at IS NOT NULL THEN
               (ARRAY['TCS', 'LCS', 'MNP', 'PPS'])[1 + abs(hashtext('trk' || i.order_id || '-' || i.seller_id)::bigint) % 4]
               || lpad((abs(hashtext('trk-no' || i.order_id || '-' || i.seller_id)::bigint) % 1000000000)::text, 10, '0') END,
           o.created_at,
           CASE WHEN o.status = 'refunded' THEN i.quantity ELSE 0 END
    FROM h_item i JOIN h_ord o ON o.id = i.order_id
    JOIN h_os s ON s.order_id = i.order_id AND s.seller_id = i.seller_id
    ORDER BY i.id;

    INSERT INTO order_sellers (order_id, seller_id, subtotal, platform_fee, seller_amount, refunded, fee_refunded)
    SELECT s.order_id, s.seller_id, s.subtotal, s.fee, s.seller_amount,
           CASE WHEN o.status = 'refunded' THEN s.subtotal ELSE 0 END,
           CASE WHEN o.status = 'refunded' THEN s.fee ELSE 0 END
    FROM h_os s JOIN h_ord o ON o.id = s.order_id
    ORDER BY s.order_id, s.seller_id;

    -- Orders still holding units: the units were taken when they were placed.
    UPDATE listings l SET
        quantity = l.quantity - d.q,
        status = CASE WHEN l.quantity - d.q = 0 AND l.status = 'active' THEN 'out_of_stock' ELSE l.status END,
        updated_at = v_now
    FROM (SELECT i.listing_id, sum(i.quantity)::int AS q FROM h_item i
          JOIN h_ord o ON o.id = i.order_id AND o.status = 'pending_payment' AND i.listing_id IS NOT NULL
          GROUP BY i.listing_id) d
    WHERE l.id = d.listing_id;

    CREATE TEMP TABLE h_pay ON COMMIT DROP AS
    SELECT nextval('payments_id_seq') AS id, o.id AS order_id, o.total, o.paid_at, o.status, o.refunded_at
    FROM h_ord o WHERE o.paid_at IS NOT NULL ORDER BY o.paid_at, o.id;
    ANALYZE h_pay;

    INSERT INTO payments (id, order_id, payment_intent_id, charge_id, amount, currency, status, completed_at,
                          created_at, updated_at)
    SELECT id, order_id, 'pi_demo_' || substr(md5('pi-' || order_id), 1, 24),
           'ch_demo_' || substr(md5('ch-' || order_id), 1, 24), total, 'PKR', 'succeeded', paid_at,
           paid_at, paid_at
    FROM h_pay ORDER BY id;

    -- Payouts: made a minute after payment; the last day's still pending; two failed.
    CREATE TEMP TABLE h_tr ON COMMIT DROP AS
    SELECT s.order_id, s.seller_id, s.seller_amount, s.fee, p.id AS payment_id, p.paid_at, p.status AS order_status,
           CASE WHEN p.status = 'refunded' THEN 'reversed'
                WHEN p.paid_at > v_now - interval '24 hours' THEN 'pending'
                ELSE 'succeeded' END AS status
    FROM h_os s JOIN h_pay p ON p.order_id = s.order_id;
    UPDATE h_tr SET status = 'failed'
    WHERE (order_id, seller_id) IN (
        SELECT order_id, seller_id FROM h_tr
        WHERE status = 'succeeded' AND paid_at BETWEEN v_now - interval '60 days' AND v_now - interval '7 days'
        ORDER BY md5('demo-failed-' || order_id || '-' || seller_id) LIMIT 2);

    INSERT INTO seller_transfers (order_id, payment_id, seller_id, amount, platform_fee, currency,
                                  stripe_transfer_id, status, attempts, last_error, created_at, completed_at,
                                  provider_amount, provider_reversed)
    SELECT order_id, payment_id, seller_id, seller_amount, fee, 'PKR',
           CASE WHEN status IN ('succeeded', 'reversed') THEN 'tr_demo_' || substr(md5('tr-' || order_id || '-' || seller_id), 1, 24) ELSE '' END,
           status,
           CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 8 ELSE 1 END,
           CASE WHEN status = 'failed' THEN 'The destination account cannot receive transfers (demo)' END,
           paid_at + interval '3 seconds',
           CASE WHEN status IN ('succeeded', 'reversed') THEN paid_at + interval '1 minute 12 seconds' END,
           CASE WHEN status IN ('succeeded', 'reversed') THEN (seller_amount * 100)::bigint END,
           CASE WHEN status = 'reversed' THEN (seller_amount * 100)::bigint ELSE 0 END
    FROM h_tr ORDER BY paid_at, order_id, seller_id;

    -- Full refunds: the buyer's money back, each seller's payout reversed less the fee returned.
    CREATE TEMP TABLE h_ref ON COMMIT DROP AS
    SELECT nextval('refunds_id_seq') AS id, o.id AS order_id, o.total, o.refunded_at,
           (ARRAY['Item arrived damaged', 'Item not as described', 'Seller could not fulfil the order',
                  'Buyer returned the item'])[1 + abs(hashtext('reason' || o.id)::bigint) % 4] AS reason
    FROM h_ord o WHERE o.status = 'refunded' ORDER BY o.refunded_at;

    INSERT INTO refunds (id, order_id, amount, reason, restock, requested_by, status, provider_refund_id,
                         created_at, completed_at)
    SELECT id, order_id, total, reason, false, NULL, 'succeeded', 're_demo_' || substr(md5('re-' || order_id), 1, 24),
           refunded_at, refunded_at + interval '40 seconds'
    FROM h_ref ORDER BY id;

    INSERT INTO refund_sellers (refund_id, seller_id, amount, platform_fee, reversal, provider_reversal_id, status)
    SELECT r.id, s.seller_id, s.subtotal, s.fee, s.seller_amount,
           'trr_demo_' || substr(md5('trr-' || r.order_id || '-' || s.seller_id), 1, 24), 'succeeded'
    FROM h_ref r JOIN h_os s ON s.order_id = r.order_id;

    INSERT INTO refund_items (refund_id, order_item_id, quantity)
    SELECT r.id, i.id, i.quantity FROM h_ref r JOIN h_item i ON i.order_id = r.order_id;

    ------------------------------------------------------------------------------------------
    -- The unpaid auction wins: violations, and the buyer blocked at the third.
    ------------------------------------------------------------------------------------------
    INSERT INTO payment_violations (user_id, auction_id, order_id, violation_date, payment_deadline, notes)
    SELECT o.buyer_id, o.auction_id, o.id, o.cancelled_at, o.deadline, 'Auction order not paid by its deadline'
    FROM h_ord o WHERE o.auction_id IS NOT NULL AND o.status = 'payment_failed'
    ORDER BY o.cancelled_at;

    UPDATE users u SET
        failed_payment_count = v.c,
        is_blocked = v.c >= 3,
        updated_at = v.last
    FROM (SELECT user_id, count(*)::int AS c, max(violation_date) AS last FROM payment_violations
          WHERE user_id IN (v_blocked, v_violator) GROUP BY user_id) v
    WHERE u.id = v.user_id;

    ------------------------------------------------------------------------------------------
    -- The catalogue predates its sales: each demo product was listed before it first sold.
    ------------------------------------------------------------------------------------------
    UPDATE products p SET created_at = x.c, updated_at = x.c
    FROM (
        SELECT p2.id,
               least(p2.created_at,
                     greatest(s.created_at + interval '2 days',
                              least(v_now - (0.2 + 400 * random()) * interval '1 day',
                                    coalesce(fs.first_sale - (1 + 14 * random()) * interval '1 day', 'infinity'::timestamptz)))) AS c
        FROM products p2
        JOIN h_sel s ON s.id = p2.seller_id
        LEFT JOIN (SELECT i.product_id, min(o.created_at) AS first_sale
                   FROM h_item i JOIN h_ord o ON o.id = i.order_id GROUP BY i.product_id) fs ON fs.product_id = p2.id
        WHERE p2.listing_type = 'fixed_price'
    ) x
    WHERE x.id = p.id;
    UPDATE listings l SET created_at = p.created_at + interval '1 minute',
                          updated_at = greatest(CASE WHEN l.updated_at >= v_now THEN l.updated_at END, p.created_at + interval '1 minute')
    FROM products p JOIN h_sel s ON s.id = p.seller_id
    WHERE p.id = l.product_id AND l.created_at > p.created_at + interval '1 minute';

    ------------------------------------------------------------------------------------------
    -- Reviews of received fixed-price purchases (one per buyer and product), and seller
    -- feedback on received auction wins, with the profiles' cached ratings.
    ------------------------------------------------------------------------------------------
    INSERT INTO product_reviews (product_id, buyer_id, order_id, rating, title, comment, is_verified_purchase,
                                 created_at, updated_at)
    SELECT x.product_id, x.buyer_id, x.order_id, x.rating,
           CASE x.rating
               WHEN 5 THEN (ARRAY['Absolutely beautiful', 'Stunning craftsmanship', 'Exceeded my expectations', 'Worth every rupee', 'Perfect gift'])[1 + floor(x.r2 * 5)::int]
               WHEN 4 THEN (ARRAY['Very nice', 'Good quality', 'Happy with it', 'Lovely piece'])[1 + floor(x.r2 * 4)::int]
               WHEN 3 THEN (ARRAY['Decent', 'Okay for the price', 'Average'])[1 + floor(x.r2 * 3)::int]
               WHEN 2 THEN (ARRAY['Not as described', 'Disappointed'])[1 + floor(x.r2 * 2)::int]
               ELSE 'Poor quality' END,
           CASE x.rating
               WHEN 5 THEN (ARRAY['The workmanship is superb and it arrived well packed.',
                                  'Even better than the photos. Will buy again from this seller.',
                                  'Real handmade quality, my family loved it.',
                                  'Fast delivery and beautiful finishing. Highly recommended.'])[1 + floor(x.r3 * 4)::int]
               WHEN 4 THEN (ARRAY['Nice piece, colours slightly different from the pictures.',
                                  'Good quality, delivery took a few extra days.',
                                  'Well made. Packaging could be better.'])[1 + floor(x.r3 * 3)::int]
               WHEN 3 THEN (ARRAY['It is fine, but I expected finer detail.',
                                  'Average finishing for the price.'])[1 + floor(x.r3 * 2)::int]
               WHEN 2 THEN 'The size and colour were not what the listing showed.'
               ELSE 'Arrived with loose stitching. Not happy.' END,
           true, x.created_at, x.created_at
    FROM (
        SELECT f.*, CASE WHEN f.r1 < 0.55 THEN 5 WHEN f.r1 < 0.85 THEN 4 WHEN f.r1 < 0.95 THEN 3 WHEN f.r1 < 0.98 THEN 2 ELSE 1 END AS rating,
               f.received + least((0.5 + 9.5 * f.r4) * interval '1 day', (v_now - f.received) * 0.9) AS created_at
        FROM (
            SELECT DISTINCT ON (i.product_id, o.buyer_id)
                   i.product_id, o.buyer_id, o.id AS order_id, coalesce(o.delivered_at, o.shipped_at) AS received,
                   random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS pick
            FROM h_item i JOIN h_ord o ON o.id = i.order_id
            WHERE o.auction_id IS NULL AND o.status IN ('shipped', 'delivered')
            ORDER BY i.product_id, o.buyer_id, o.created_at
        ) f
        WHERE f.pick < 0.4
    ) x
    ORDER BY x.created_at;

    INSERT INTO feedbacks (order_id, buyer_id, seller_id, seller_rating, seller_comment, platform_rating,
                           platform_comment, communication_rating, product_as_described, shipping_speed_rating,
                           created_at, updated_at)
    SELECT f.id, f.buyer_id, f.seller_id, f.sr,
           (ARRAY['Great seller, item exactly as shown.', 'Carefully packed and shipped quickly.',
                  'Good communication throughout.', 'Lovely piece, thank you!', 'Took a while but worth it.'])[1 + floor(f.r5 * 5)::int],
           CASE WHEN f.r2 < 0.7 THEN 5 ELSE 4 END,
           CASE WHEN f.r2 < 0.3 THEN 'Smooth bidding and checkout.' ELSE '' END,
           CASE WHEN f.r3 < 0.6 THEN 5 WHEN f.r3 < 0.9 THEN 4 ELSE 3 END,
           f.r4 < 0.93,
           CASE WHEN f.r6 < 0.45 THEN 5 WHEN f.r6 < 0.85 THEN 4 ELSE 3 END,
           f.created_at, f.created_at
    FROM (
        SELECT o.id, o.buyer_id, o.seller_id,
               CASE WHEN random() < 0.5 THEN 5 WHEN random() < 0.7 THEN 4 ELSE 3 END AS sr,
               random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
               coalesce(o.delivered_at, o.shipped_at)
                   + least((0.5 + 6 * random()) * interval '1 day', (v_now - coalesce(o.delivered_at, o.shipped_at)) * 0.9) AS created_at,
               random() AS pick
        FROM h_ord o WHERE o.auction_id IS NOT NULL AND o.status IN ('shipped', 'delivered')
    ) f
    WHERE f.pick < 0.75
    ORDER BY f.created_at;

    UPDATE seller_profiles sp SET
        average_rating = (floor((t.s * 200 + t.c)::numeric / (t.c * 2)) / 100)::numeric(3, 2),
        total_feedbacks = t.c,
        updated_at = greatest(sp.updated_at, t.last)
    FROM (SELECT seller_id, count(*) AS c, sum(seller_rating) AS s, max(created_at) AS last
          FROM feedbacks GROUP BY seller_id) t
    WHERE t.seller_id = sp.user_id AND sp.user_id IN (SELECT id FROM h_sel);

    ------------------------------------------------------------------------------------------
    -- Complaints about orders.
    ------------------------------------------------------------------------------------------
    INSERT INTO complaints (complaint_number, user_id, category, subject, description, order_id, seller_id,
                            status, admin_notes, resolved_at, created_at, updated_at)
    SELECT 'CMP-' || upper(substr(md5('madeinpk-demo-complaint-' || c.order_id), 1, 12)),
           c.buyer_id, c.category,
           CASE c.category
               WHEN 'payment' THEN 'Charged but the order shows unpaid'
               WHEN 'shipping' THEN 'Order ' || c.number || ' has not arrived'
               WHEN 'product' THEN 'Item is different from the listing'
               WHEN 'seller' THEN 'Seller is not answering my messages'
               WHEN 'platform' THEN 'Could not complete checkout on mobile'
               ELSE 'Question about order ' || c.number END,
           CASE c.category
               WHEN 'payment' THEN 'My card was charged for order ' || c.number || ' but the order was not confirmed. Please check.'
               WHEN 'shipping' THEN 'The tracking number has not updated for several days. Please help me find my parcel.'
               WHEN 'product' THEN 'The colours and size of the item I received from order ' || c.number || ' do not match the photos.'
               WHEN 'seller' THEN 'I asked the seller about the delivery date of order ' || c.number || ' and got no reply.'
               WHEN 'platform' THEN 'The payment page kept loading when I tried to pay for order ' || c.number || '.'
               ELSE 'I would like to change the delivery address of order ' || c.number || '.' END,
           c.order_id, c.seller_id, c.status,
           CASE c.status
               WHEN 'open' THEN ''
               WHEN 'in_progress' THEN 'Contacted the seller, waiting for an answer.'
               WHEN 'resolved' THEN 'Resolved with the seller; buyer confirmed.'
               ELSE 'Closed after no reply from the buyer for 7 days.' END,
           CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolved_at END,
           c.created_at,
           CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolved_at
                WHEN c.status = 'in_progress' THEN c.created_at + (v_now - c.created_at) * 0.3
                ELSE c.created_at END
    FROM (
        SELECT y.*,
               CASE WHEN y.age < interval '7 days' THEN CASE WHEN y.rs < 0.6 THEN 'open' ELSE 'in_progress' END
                    WHEN y.age < interval '30 days' THEN CASE WHEN y.rs < 0.2 THEN 'open' WHEN y.rs < 0.6 THEN 'in_progress'
                                                              WHEN y.rs < 0.9 THEN 'resolved' ELSE 'closed' END
                    ELSE CASE WHEN y.rs < 0.05 THEN 'in_progress' WHEN y.rs < 0.65 THEN 'resolved' ELSE 'closed' END END AS status,
               y.created_at + least((1 + 9 * y.rr) * interval '1 day', y.age * 0.8) AS resolved_at
        FROM (
            SELECT x.*, v_now - x.created_at AS age
            FROM (
                SELECT o.id AS order_id, o.number, o.buyer_id,
                       coalesce(o.seller_id, (SELECT min(s.seller_id) FROM h_os s WHERE s.order_id = o.id)) AS seller_id,
                       CASE WHEN o.status IN ('payment_failed', 'cancelled') THEN 'payment'
                            WHEN random() < 0.1 THEN (ARRAY['platform', 'other'])[1 + floor(random() * 2)::int]
                            WHEN o.status IN ('paid', 'shipped') THEN 'shipping'
                            ELSE (ARRAY['product', 'seller', 'shipping', 'product'])[1 + floor(random() * 4)::int] END AS category,
                       greatest(o.created_at + interval '1 hour',
                                least(o.created_at + (0.5 + 12 * random()) * interval '1 day', v_now - (1 + 20 * random()) * interval '1 hour')) AS created_at,
                       random() AS rs, random() AS rr
                FROM h_ord o
                WHERE o.id IN (
                    (SELECT o2.id FROM h_ord o2
                     WHERE o2.status <> 'pending_payment' AND o2.buyer_id <> v_blocked
                       AND o2.created_at BETWEEN v_now - interval '40 days' AND v_now - interval '1 day'
                     ORDER BY md5('demo-complaint-' || o2.id) LIMIT (greatest(3, v_n / 100) + 1) / 2)
                    UNION ALL
                    (SELECT o2.id FROM h_ord o2
                     WHERE o2.status <> 'pending_payment' AND o2.buyer_id <> v_blocked
                       AND o2.created_at < v_now - interval '40 days'
                     ORDER BY md5('demo-complaint-' || o2.id) LIMIT greatest(3, v_n / 100) / 2))
            ) x
        ) y
    ) c
    ORDER BY c.created_at;

    ------------------------------------------------------------------------------------------
    -- Conversations: buyers asking sellers about a product before buying it.
    ------------------------------------------------------------------------------------------
    CREATE TEMP TABLE h_conv ON COMMIT DROP AS
    SELECT nextval('conversations_id_seq') AS id, q.*
    FROM (
        SELECT DISTINCT ON (o.buyer_id, o.seller_id, o.product_id)
               o.buyer_id, o.seller_id, o.product_id, o.number,
               greatest(o.created_at - (1 + 22 * random()) * interval '1 hour', b.created_at + interval '15 minutes') AS created_at,
               2 + floor(random() * 5)::int AS n_msgs,
               md5('demo-conv-' || o.id) AS h
        FROM h_ord o JOIN h_buyer b ON b.id = o.buyer_id
        WHERE o.kind = 'fixed_price' AND o.status IN ('paid', 'shipped', 'delivered')
          AND o.created_at < v_now - interval '1 day'
        ORDER BY o.buyer_id, o.seller_id, o.product_id, o.created_at
    ) q
    ORDER BY q.h
    LIMIT greatest(3, v_n / 100);

    CREATE TEMP TABLE h_msg ON COMMIT DROP AS
    SELECT c.id AS conversation_id, i, c.n_msgs,
           CASE WHEN i % 2 = 1 THEN c.buyer_id ELSE c.seller_id END AS sender_id,
           CASE WHEN i % 2 = 1 THEN c.seller_id ELSE c.buyer_id END AS recipient_id,
           CASE WHEN i % 2 = 1 THEN
               (ARRAY['Assalam o Alaikum, is this piece still available?',
                      'Can you share a few more photos of it?',
                      'How long does delivery usually take?',
                      'Thank you, I have placed the order.'])[(i + 1) / 2]
           ELSE
               (ARRAY['Walaikum Assalam! Yes, it is available.',
                      'Sure, sending them now. Every piece is made by hand in our workshop.',
                      'Usually 3 to 5 working days by courier.'])[i / 2] END AS content,
           c.created_at + (i - 1) * interval '40 minutes' + random() * interval '30 minutes' AS created_at
    FROM h_conv c CROSS JOIN LATERAL generate_series(1, c.n_msgs) i;

    INSERT INTO conversations (id, buyer_id, seller_id, product_id, created_at, updated_at)
    SELECT c.id, c.buyer_id, c.seller_id, c.product_id, c.created_at,
           (SELECT max(m.created_at) FROM h_msg m WHERE m.conversation_id = c.id)
    FROM h_conv c ORDER BY c.id
    ON CONFLICT DO NOTHING;

    INSERT INTO messages (conversation_id, sender_id, content, is_read, created_at)
    SELECT m.conversation_id, m.sender_id, m.content,
           m.i < m.n_msgs OR m.created_at < v_now - interval '2 days', m.created_at
    FROM h_msg m WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)
    ORDER BY m.created_at, m.conversation_id;

    ------------------------------------------------------------------------------------------
    -- Notifications the application would have written along the way.
    ------------------------------------------------------------------------------------------
    INSERT INTO notifications (user_id, notification_type, title, message, is_read, is_sent_via_email,
                               email_sent_at, order_id, auction_id, created_at)
    SELECT n.user_id, n.kind, n.title, n.message,
           n.created_at < v_now - interval '3 days' AND random() < 0.9,
           n.email, CASE WHEN n.email THEN n.created_at + interval '20 seconds' END,
           n.order_id, n.auction_id, n.created_at
    FROM (
        -- The buyer's receipt and each seller's sale.
        SELECT o.buyer_id AS user_id, 'payment_received' AS kind, 'Payment Successful' AS title,
               'Your payment for order ' || o.number || ' has been received.' AS message,
               true AS email, o.id AS order_id, o.auction_id, o.paid_at AS created_at
        FROM h_ord o WHERE o.paid_at IS NOT NULL
        UNION ALL
        SELECT s.seller_id, 'payment_received', 'Payment Received',
               'Payment received for order ' || o.number || '. Transfer will be processed shortly.',
               true, o.id, o.auction_id, o.paid_at
        FROM h_os s JOIN h_ord o ON o.id = s.order_id WHERE o.paid_at IS NOT NULL
        UNION ALL
        SELECT o.buyer_id, 'order_shipped',
               CASE WHEN o.kind = 'cart' THEN 'All items have been shipped' ELSE 'Your order has been shipped' END,
               CASE WHEN o.kind = 'cart' THEN 'All items in order ' || o.number || ' have been shipped by sellers'
                    ELSE 'Your order ' || o.number || ' has been shipped' END,
               false, o.id, o.auction_id, o.shipped_at
        FROM h_ord o WHERE o.shipped_at IS NOT NULL
        UNION ALL
        SELECT o.buyer_id, 'order_delivered', 'Order delivered',
               'Order ' || o.number || ' was delivered. Thank you for shopping handmade!',
               false, o.id, o.auction_id, o.delivered_at
        FROM h_ord o WHERE o.delivered_at IS NOT NULL
        UNION ALL
        SELECT o.buyer_id, 'feedback_request', 'How was your order?',
               'Order ' || o.number || ' was delivered. Please rate ' || u.username || '.',
               true, o.id, o.auction_id, o.delivered_at
        FROM h_ord o JOIN users u ON u.id = o.seller_id WHERE o.auction_id IS NOT NULL AND o.delivered_at IS NOT NULL
        UNION ALL
        -- Auctions: the seller's first bid, the winner, the seller and the others at the end.
        SELECT a.seller_id, 'bid_placed', 'New bid',
               'Your auction for ' || a.name || ' received its first bid of Rs. ' || b.amount::text,
               false, NULL, a.id, b.bid_time
        FROM h_auc a JOIN h_bid b ON b.ka = a.ka AND b.i = 1
        UNION ALL
        SELECT a.winner_id, 'auction_won', 'You won the auction',
               'Congratulations! You won the auction for ' || a.name || ' at Rs. ' || a.current_price::text
                   || '. Please pay within 24 hours.',
               false, o.id, a.id, a.end_time + interval '4 seconds'
        FROM h_auc a JOIN h_ord o ON o.auction_id = a.id
        UNION ALL
        SELECT a.seller_id, 'auction_ended', 'Auction ended',
               CASE WHEN a.winner_id IS NOT NULL THEN 'Your auction for ' || a.name || ' ended at Rs. ' || a.current_price::text || '.'
                    WHEN a.total_bids > 0 THEN 'Your auction for ' || a.name || ' ended. The reserve price was not met, so the item was not sold.'
                    ELSE 'Your auction for ' || a.name || ' ended. There were no bids.' END,
               true, NULL, a.id, a.end_time + interval '4 seconds'
        FROM h_auc a WHERE a.status <> 'active'
        UNION ALL
        SELECT p.buyer_id, 'auction_lost', 'Auction ended',
               CASE WHEN a.winner_id IS NOT NULL THEN 'The auction for ' || a.name || ' ended at Rs. ' || a.current_price::text || '. You did not win this time.'
                    ELSE 'The auction for ' || a.name || ' ended without a sale. The reserve price was not met, so the item was not sold.' END,
               false, NULL, a.id, a.end_time + interval '4 seconds'
        FROM h_auc a JOIN h_part p ON p.ka = a.ka
        WHERE a.status <> 'active' AND p.buyer_id IS DISTINCT FROM a.winner_id
        UNION ALL
        -- Unpaid auction wins, and the account blocked at the third.
        SELECT o.buyer_id, 'general', 'Auction payment missed',
               'Order ' || o.number || ' was not paid and is cancelled. Unpaid auction wins: '
                   || row_number() OVER (PARTITION BY o.buyer_id ORDER BY o.cancelled_at) || ' of 3.',
               false, o.id, o.auction_id, o.cancelled_at
        FROM h_ord o WHERE o.auction_id IS NOT NULL AND o.status = 'payment_failed'
        UNION ALL
        SELECT u.id, 'account_blocked', 'Account blocked',
               'Your account has been blocked after 3 unpaid auction wins. Contact support to appeal.',
               true, NULL, NULL, u.updated_at
        FROM users u WHERE u.id = v_blocked AND u.is_blocked
        UNION ALL
        SELECT o.buyer_id, 'payment_reminder', 'Complete your payment',
               'Please complete payment for order ' || o.number,
               false, o.id, NULL, o.created_at
        FROM h_ord o WHERE o.status = 'pending_payment' AND o.auction_id IS NULL
        UNION ALL
        -- Messages.
        SELECT m.recipient_id, 'message_received', 'New message',
               'You have a new message from ' || u.username, false, NULL, NULL, m.created_at
        FROM h_msg m JOIN users u ON u.id = m.sender_id
    ) n
    WHERE n.user_id IS NOT NULL
    ORDER BY n.created_at;

    ------------------------------------------------------------------------------------------
    -- Wishlists and carts (cart lines hold no stock: their holds have lapsed).
    ------------------------------------------------------------------------------------------
    INSERT INTO wishlist_items (user_id, product_id, notes, created_at)
    WITH w0 AS MATERIALIZED (
        SELECT p.id AS user_id, p.created_at AS since,
               1 + floor(v_l * power(random(), 1.3))::int AS pick,
               CASE WHEN random() < 0.2 THEN 'Gift idea for Eid' ELSE '' END AS notes,
               random() AS r
        FROM h_pool p
        CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 4)::int) g
        WHERE abs(hashtext('wish' || p.id)::bigint) % 10 < 3
    )
    SELECT DISTINCT ON (w.user_id, l.product_id) w.user_id, l.product_id, w.notes,
           greatest(w.since, pr.created_at) + (v_now - greatest(w.since, pr.created_at)) * w.r
    FROM w0 w
    JOIN h_lst l ON l.rn = w.pick
    JOIN products pr ON pr.id = l.product_id
    ORDER BY w.user_id, l.product_id;

    CREATE TEMP TABLE h_cart ON COMMIT DROP AS
    SELECT nextval('carts_id_seq') AS id, q.*
    FROM (
        SELECT p.id AS user_id,
               greatest(p.created_at, v_now - 3 * random() * interval '1 day') AS created_at,
               1 + floor(random() * 3)::int AS n_lines
        FROM h_pool p
        WHERE NOT EXISTS (SELECT 1 FROM carts c WHERE c.user_id = p.id)
        ORDER BY md5('demo-cart-' || p.id)
        LIMIT greatest(3, v_buyers / 20)
    ) q;

    CREATE TEMP TABLE h_cart_item ON COMMIT DROP AS
    WITH c0 AS MATERIALIZED (
        SELECT c.id AS cart_id, c.created_at + g * interval '3 minutes' AS added_at,
               1 + floor(v_l * random())::int AS pick
        FROM h_cart c CROSS JOIN LATERAL generate_series(1, c.n_lines) g
    )
    SELECT DISTINCT ON (c.cart_id, l.listing_id) c.cart_id, l.listing_id, c.added_at
    FROM c0 c
    JOIN h_lst l ON l.rn = c.pick
    JOIN listings li ON li.id = l.listing_id AND li.status = 'active' AND li.quantity - li.reserved_quantity >= 1
    ORDER BY c.cart_id, l.listing_id, c.added_at;

    INSERT INTO carts (id, user_id, notice_sent_for, created_at, updated_at)
    SELECT c.id, c.user_id, NULL, c.created_at,
           coalesce((SELECT max(i.added_at) FROM h_cart_item i WHERE i.cart_id = c.id), c.created_at)
    FROM h_cart c ORDER BY c.id;

    INSERT INTO cart_items (cart_id, listing_id, quantity, held, held_until, added_at, updated_at)
    SELECT cart_id, listing_id, 1, 0, NULL, added_at, added_at FROM h_cart_item ORDER BY cart_id, added_at;

    ------------------------------------------------------------------------------------------
    -- Sign-ins, where the schema records them.
    ------------------------------------------------------------------------------------------
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'last_login') THEN
        EXECUTE 'UPDATE users u SET last_login = b.created_at + (now() - b.created_at) * (0.6 + 0.4 * random())
                 FROM h_buyer b WHERE b.id = u.id AND random() < 0.85';
    END IF;

    RAISE NOTICE 'demo history: % buyers, % orders (% auction), % auctions',
        v_buyers, (SELECT count(*) FROM h_ord), v_auction_orders, (SELECT count(*) FROM h_auc);
END
$demo$;
