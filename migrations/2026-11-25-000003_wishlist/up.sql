-- Wishlists: a user's saved products, once each.
CREATE TABLE wishlist_items (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, product_id)
);
CREATE INDEX wishlist_items_user_created_idx ON wishlist_items (user_id, created_at, id);
CREATE INDEX wishlist_items_product_idx ON wishlist_items (product_id);
