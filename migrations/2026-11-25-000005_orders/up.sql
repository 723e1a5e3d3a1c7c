-- Carts with stock holds, orders (one row per order, lines per item, money per seller),
-- payments, seller payouts and the provider events already applied.

CREATE TABLE carts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- The hold expiry the buyer was last told about (one notice per hold period).
    notice_sent_for TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX carts_updated_idx ON carts (updated_at);

CREATE TABLE cart_items (
    id BIGSERIAL PRIMARY KEY,
    cart_id BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    -- Units this line holds in listings.reserved_quantity: all of them, or none once lapsed.
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= quantity),
    held_until TIMESTAMPTZ,
    added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (cart_id, listing_id)
);
CREATE INDEX cart_items_held_until_idx ON cart_items (held_until) WHERE held > 0;
CREATE INDEX cart_items_listing_idx ON cart_items (listing_id);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    order_number TEXT NOT NULL UNIQUE,
    buyer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    order_type TEXT NOT NULL CHECK (order_type IN ('fixed_price', 'auction', 'cart')),
    -- Single-seller orders (fixed_price, auction) name their seller, product and unit price.
    seller_id BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    product_id BIGINT REFERENCES products (id) ON DELETE RESTRICT,
    auction_id BIGINT REFERENCES auctions (id) ON DELETE SET NULL,
    quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    unit_price NUMERIC(12, 2),
    total_amount NUMERIC(12, 2) NOT NULL CHECK (total_amount >= 0),
    platform_fee NUMERIC(12, 2) NOT NULL CHECK (platform_fee >= 0),
    seller_amount NUMERIC(12, 2) NOT NULL CHECK (seller_amount >= 0),
    currency TEXT NOT NULL DEFAULT 'PKR',
    shipping_address_id BIGINT REFERENCES addresses (id) ON DELETE RESTRICT,
    status TEXT NOT NULL DEFAULT 'pending_payment' CHECK (status IN (
        'pending_payment', 'payment_failed', 'paid', 'shipped', 'delivered', 'cancelled',
        'partially_refunded', 'refunded')),
    -- The checkout session id until paid, then the payment intent id.
    payment_reference TEXT NOT NULL DEFAULT '',
    payment_url TEXT NOT NULL DEFAULT '',
    payment_deadline TIMESTAMPTZ,
    idempotency_key TEXT,
    paid_at TIMESTAMPTZ,
    shipped_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (platform_fee + seller_amount = total_amount),
    UNIQUE (buyer_id, idempotency_key)
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC);
CREATE INDEX orders_seller_idx ON orders (seller_id, created_at DESC);
CREATE INDEX orders_payment_reference_idx ON orders (payment_reference) WHERE payment_reference <> '';
CREATE INDEX orders_deadline_idx ON orders (payment_deadline) WHERE status = 'pending_payment';

CREATE TABLE order_items (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    listing_id BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    product_name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    unit_price NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    subtotal NUMERIC(12, 2) NOT NULL CHECK (subtotal = unit_price * quantity),
    is_shipped BOOLEAN NOT NULL DEFAULT FALSE,
    shipped_at TIMESTAMPTZ,
    tracking_number TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX order_items_order_idx ON order_items (order_id, id);
CREATE INDEX order_items_seller_idx ON order_items (seller_id, order_id);
CREATE INDEX order_items_product_idx ON order_items (product_id);

-- Each seller's money in an order; Σ over sellers = the order's totals.
CREATE TABLE order_sellers (
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    subtotal NUMERIC(12, 2) NOT NULL,
    platform_fee NUMERIC(12, 2) NOT NULL,
    seller_amount NUMERIC(12, 2) NOT NULL,
    PRIMARY KEY (order_id, seller_id),
    CHECK (platform_fee + seller_amount = subtotal)
);
CREATE INDEX order_sellers_seller_idx ON order_sellers (seller_id);

CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id) ON DELETE RESTRICT,
    payment_intent_id TEXT UNIQUE,
    charge_id TEXT,
    amount NUMERIC(12, 2) NOT NULL,
    currency TEXT NOT NULL DEFAULT 'PKR',
    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'refunded')),
    completed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One payout per (order, seller), ever.
CREATE TABLE seller_transfers (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    payment_id BIGINT NOT NULL REFERENCES payments (id) ON DELETE RESTRICT,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    amount NUMERIC(12, 2) NOT NULL CHECK (amount >= 0),
    platform_fee NUMERIC(12, 2) NOT NULL CHECK (platform_fee >= 0),
    currency TEXT NOT NULL DEFAULT 'PKR',
    stripe_transfer_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'reversed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at TIMESTAMPTZ,
    UNIQUE (order_id, seller_id)
);
CREATE INDEX seller_transfers_seller_idx ON seller_transfers (seller_id, created_at DESC);
CREATE INDEX seller_transfers_status_idx ON seller_transfers (status) WHERE status <> 'succeeded';

-- Provider events applied, recorded in the same transaction as their effects.
CREATE TABLE payment_events (
    id TEXT PRIMARY KEY,
    order_id BIGINT,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE product_reviews
    ADD CONSTRAINT product_reviews_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL;
ALTER TABLE notifications
    ADD CONSTRAINT notifications_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL;
