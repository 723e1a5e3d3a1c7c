//! The dashboard's statements. `= ANY($n)` binds the domain's paying statuses
//! (`order_figures::paying_statuses`), so which orders are revenue is decided there. Counting
//! uses subqueries or grouped passes, never joins of two counted tables (community D23).

/// Everything but the orders: one pass per table, each figure a FILTERed aggregate.
/// `$1` now, `$2` the days of "this month".
pub const TOTALS: &str = "
WITH u AS (
    SELECT count(*) AS total_users,
           count(*) FILTER (WHERE role IN ('buyer', 'both')) AS total_buyers,
           count(*) FILTER (WHERE role IN ('seller', 'both')) AS total_sellers,
           count(*) FILTER (WHERE created_at > $1 - make_interval(days => $2)) AS new_users_this_month,
           count(*) FILTER (WHERE is_blocked) AS blocked_users
    FROM users
), p AS (
    SELECT count(*) AS total_products,
           count(*) FILTER (WHERE created_at > $1 - make_interval(days => $2)) AS products_this_month
    FROM products
), sp AS (
    SELECT count(*) FILTER (WHERE is_verified) AS verified_sellers, count(*) AS total_seller_profiles
    FROM seller_profiles
), f AS (
    SELECT count(*) AS total_feedbacks,
           COALESCE(sum(seller_rating), 0)::bigint AS seller_rating_sum,
           COALESCE(sum(platform_rating), 0)::bigint AS platform_rating_sum
    FROM feedbacks
), t AS (
    SELECT count(*) FILTER (WHERE status IN ('succeeded', 'reversed')) AS total_transfers,
           COALESCE(sum(amount) FILTER (WHERE status IN ('succeeded', 'reversed')), 0)
               AS total_transferred_amount,
           count(*) FILTER (WHERE status IN ('pending', 'processing')) AS pending_transfers,
           count(*) FILTER (WHERE status = 'failed') AS failed_transfers
    FROM seller_transfers
)
SELECT u.*, p.total_products,
  (SELECT count(*) FROM auctions WHERE status = 'active') AS active_auction_listings,
  (SELECT count(*) FROM listings WHERE status = 'active') AS active_fixed_price_listings,
  p.products_this_month, sp.*, f.*, t.*
FROM u, p, sp, f, t";

/// The orders in one pass, grouped by status and type. `$1` now, `$2` the days of "this month".
pub const ORDER_GROUPS: &str = "
SELECT status, order_type, count(*) AS orders,
       sum(total_amount) AS total, sum(platform_fee) AS fee,
       count(*) FILTER (WHERE created_at > $1 - make_interval(days => $2)) AS placed_recently,
       COALESCE(sum(total_amount) FILTER (WHERE paid_at > $1 - make_interval(days => $2)), 0)
           AS paid_recently
FROM orders GROUP BY status, order_type";

/// What refunds gave back, per status of the refunded orders and whether they were paid
/// recently: only the few refunded orders are joined.
pub const REFUND_GROUPS: &str = "
SELECT o.status, COALESCE(o.paid_at > $1 - make_interval(days => $2), false) AS paid_recently,
       sum(s.refunded) AS refunded, sum(s.fee_refunded) AS fee_refunded
FROM order_sellers s JOIN orders o ON o.id = s.order_id
WHERE s.refunded <> 0 OR s.fee_refunded <> 0
GROUP BY 1, 2";

/// `$3` local days ending today (zone `$2`, now `$1`), each with the revenue of the paying
/// orders (`$4`) paid that day less what was refunded of them, and the orders placed. Each
/// day's figures are index range scans between its local midnights, not a pass over a year.
pub const DAYS: &str = "
WITH d AS (
    SELECT g::date AS day, g::date::timestamp AT TIME ZONE $2 AS starts,
           (g::date + 1)::timestamp AT TIME ZONE $2 AS ends
    FROM generate_series(($1 AT TIME ZONE $2)::date - ($3::int - 1), ($1 AT TIME ZONE $2)::date,
        interval '1 day') AS g
), back AS (
    -- From the few refunded rows to their orders (OFFSET 0 keeps it a per-row lookup rather
    -- than a join the planner may turn into a pass over every paid order).
    SELECT (o.paid_at AT TIME ZONE $2)::date AS day, sum(s.refunded) AS amount
    FROM order_sellers s,
         LATERAL (SELECT paid_at, status FROM orders WHERE id = s.order_id OFFSET 0) o
    WHERE (s.refunded <> 0 OR s.fee_refunded <> 0) AND o.status = ANY($4)
      AND o.paid_at >= (SELECT min(starts) FROM d)
    GROUP BY 1
)
SELECT d.day,
  (SELECT COALESCE(sum(o.total_amount), 0) FROM orders o
   WHERE o.paid_at >= d.starts AND o.paid_at < d.ends AND o.status = ANY($4))
    - COALESCE(back.amount, 0) AS amount,
  (SELECT count(*) FROM orders o WHERE o.created_at >= d.starts AND o.created_at < d.ends) AS n
FROM d LEFT JOIN back USING (day) ORDER BY d.day";

/// Products per condition, most first.
pub const BY_CONDITION: &str = "SELECT condition AS name, count(*) AS n FROM products GROUP BY condition ORDER BY n DESC, name";

/// The ten categories with the most products.
pub const CATEGORIES: &str = "
SELECT c.name::text AS name, (SELECT count(*) FROM products p WHERE p.category_id = c.id) AS n
FROM categories c ORDER BY n DESC, c.name LIMIT 10";

/// Sign-ups in each of the twelve local calendar months ending with this one.
pub const REGISTRATIONS: &str = "
WITH m AS (
    SELECT generate_series(date_trunc('month', $1 AT TIME ZONE $2) - interval '11 months',
        date_trunc('month', $1 AT TIME ZONE $2), interval '1 month') AS start
)
SELECT to_char(m.start, 'Mon YYYY') AS name,
  (SELECT count(*) FROM users u WHERE u.created_at AT TIME ZONE $2 >= m.start
     AND u.created_at AT TIME ZONE $2 < m.start + interval '1 month') AS n
FROM m ORDER BY m.start";

/// Units sold and kept per product of the paying orders (`$1`), aggregated before the joins.
pub const BEST_SELLING: &str = "
WITH sold AS (
    SELECT i.product_id, sum(i.quantity - i.refunded_quantity)::bigint AS n
    FROM order_items i JOIN orders o ON o.id = i.order_id
    WHERE o.status = ANY($1) GROUP BY i.product_id
    HAVING sum(i.quantity - i.refunded_quantity) > 0 ORDER BY n DESC, i.product_id LIMIT 10
)
SELECT p.id, p.name::text AS name, sold.n, u.username::text AS seller
FROM sold JOIN products p ON p.id = sold.product_id JOIN users u ON u.id = p.seller_id
ORDER BY sold.n DESC, p.id";

/// Each seller's share of the paying orders (`$1`) less what refunds took back of it, the top
/// ten aggregated before the join with their names.
pub const TOP_SELLERS: &str = "
WITH earned AS (
    SELECT s.seller_id, sum(s.seller_amount - (s.refunded - s.fee_refunded)) AS amount
    FROM order_sellers s JOIN orders o ON o.id = s.order_id
    WHERE o.status = ANY($1) GROUP BY s.seller_id ORDER BY amount DESC, s.seller_id LIMIT 10
)
SELECT u.id, u.username::text AS username, u.email::text AS email, earned.amount
FROM earned JOIN users u ON u.id = earned.seller_id ORDER BY earned.amount DESC, u.id";

/// Sellers with five feedbacks or more, best rated first.
pub const TOP_RATED: &str = "
SELECT u.username::text AS username, sp.brand_name::text AS brand_name,
  sp.average_rating AS rating, sp.total_feedbacks AS total
FROM seller_profiles sp JOIN users u ON u.id = sp.user_id
WHERE sp.total_feedbacks >= 5 ORDER BY sp.average_rating DESC, sp.total_feedbacks DESC LIMIT 10";

/// The ten newest orders.
pub const RECENT_ORDERS: &str = "
SELECT o.order_number AS number, b.username::text AS buyer, s.username::text AS seller,
  o.order_type AS kind, o.total_amount AS total, o.status, o.created_at
FROM orders o JOIN users b ON b.id = o.buyer_id LEFT JOIN users s ON s.id = o.seller_id
ORDER BY o.created_at DESC, o.id DESC LIMIT 10";
