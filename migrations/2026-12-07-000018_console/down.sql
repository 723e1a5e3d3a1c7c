DROP INDEX order_items_product_name_trgm;
DROP INDEX orders_paid_at_idx;
DROP INDEX orders_created_at_idx;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE console_sessions;
