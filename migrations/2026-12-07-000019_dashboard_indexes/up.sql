-- The dashboard's daily revenue sums each local day's paid orders from the index alone
-- (an index-only range scan per day), and refunds are read from the few refunded rows.
DROP INDEX orders_paid_at_idx;
CREATE INDEX orders_paid_at_idx ON orders (paid_at) INCLUDE (status, total_amount)
    WHERE paid_at IS NOT NULL;
CREATE INDEX order_sellers_refunded_idx ON order_sellers (order_id)
    INCLUDE (refunded, fee_refunded) WHERE refunded <> 0 OR fee_refunded <> 0;
