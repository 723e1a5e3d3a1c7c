-- Refunds: whole orders, items and quantities, or amounts; allocated to sellers, each seller's
-- transfer reversed by their part less the fee given back.

ALTER TABLE order_items ADD COLUMN refunded_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD CONSTRAINT order_items_refunded_check
    CHECK (refunded_quantity BETWEEN 0 AND quantity);
ALTER TABLE order_sellers ADD COLUMN refunded NUMERIC(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE order_sellers ADD COLUMN fee_refunded NUMERIC(12, 2) NOT NULL DEFAULT 0;
-- Never more than was paid, whatever races: the last line of defence.
ALTER TABLE order_sellers ADD CONSTRAINT order_sellers_refund_check
    CHECK (refunded BETWEEN 0 AND subtotal AND fee_refunded BETWEEN 0 AND platform_fee);

CREATE TABLE refunds (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    amount NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL DEFAULT '',
    restock BOOLEAN NOT NULL DEFAULT FALSE,
    requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded')),
    provider_refund_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at TIMESTAMPTZ
);
CREATE INDEX refunds_order_idx ON refunds (order_id);

CREATE TABLE refund_sellers (
    refund_id BIGINT NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    amount NUMERIC(12, 2) NOT NULL,
    platform_fee NUMERIC(12, 2) NOT NULL,
    reversal NUMERIC(12, 2) NOT NULL,
    provider_reversal_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded')),
    PRIMARY KEY (refund_id, seller_id),
    CHECK (platform_fee + reversal = amount)
);

CREATE TABLE refund_items (
    refund_id BIGINT NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    order_item_id BIGINT NOT NULL REFERENCES order_items (id) ON DELETE RESTRICT,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (refund_id, order_item_id)
);
