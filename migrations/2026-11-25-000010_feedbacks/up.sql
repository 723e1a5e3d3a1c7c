-- Seller feedback on auction orders: one per order, written by the order's buyer once it shipped
-- (enforced by the code). The seller profile's average_rating and total_feedbacks are a cache
-- of these rows, refreshed in the same transaction as every write.
CREATE TABLE feedbacks (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    buyer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seller_rating SMALLINT NOT NULL CHECK (seller_rating BETWEEN 1 AND 5),
    seller_comment TEXT NOT NULL DEFAULT '',
    platform_rating SMALLINT NOT NULL CHECK (platform_rating BETWEEN 1 AND 5),
    platform_comment TEXT NOT NULL DEFAULT '',
    communication_rating SMALLINT NOT NULL CHECK (communication_rating BETWEEN 1 AND 5),
    product_as_described BOOLEAN NOT NULL DEFAULT TRUE,
    shipping_speed_rating SMALLINT NOT NULL CHECK (shipping_speed_rating BETWEEN 1 AND 5),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT feedbacks_order_key UNIQUE (order_id)
);
-- Per-seller lists and the rating refresh; the default list order (newest first).
CREATE INDEX feedbacks_seller_idx ON feedbacks (seller_id, created_at DESC, id DESC);
CREATE INDEX feedbacks_created_idx ON feedbacks (created_at DESC, id DESC);
CREATE INDEX feedbacks_buyer_idx ON feedbacks (buyer_id);
