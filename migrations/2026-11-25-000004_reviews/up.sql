-- Product reviews: one per buyer and product, fixed-price products only (enforced by the code).
CREATE TABLE product_reviews (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    buyer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The order it was bought in; the foreign key arrives with the orders table.
    order_id BIGINT,
    rating SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title VARCHAR(200) NOT NULL,
    comment TEXT NOT NULL,
    is_verified_purchase BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (product_id, buyer_id)
);
CREATE INDEX product_reviews_created_idx ON product_reviews (created_at, id);
CREATE INDEX product_reviews_rating_idx ON product_reviews (rating, id);
