DROP TABLE refund_items;
DROP TABLE refund_sellers;
DROP TABLE refunds;
ALTER TABLE order_sellers DROP CONSTRAINT order_sellers_refund_check;
ALTER TABLE order_sellers DROP COLUMN fee_refunded;
ALTER TABLE order_sellers DROP COLUMN refunded;
ALTER TABLE order_items DROP CONSTRAINT order_items_refunded_check;
ALTER TABLE order_items DROP COLUMN refunded_quantity;
