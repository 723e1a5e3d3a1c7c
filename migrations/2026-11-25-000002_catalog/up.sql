-- Catalogue: products and images, fixed-price listings, auctions and bids.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    condition TEXT NOT NULL CHECK (condition IN ('new', 'like_new', 'good', 'fair')),
    -- How the product is sold; set in the same transaction that creates its listing or auction,
    -- so a product can never have both.
    listing_type TEXT CHECK (listing_type IN ('fixed_price', 'auction')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX products_seller_idx ON products (seller_id, id);
CREATE INDEX products_category_idx ON products (category_id, id);
CREATE INDEX products_condition_idx ON products (condition, id);
CREATE INDEX products_created_idx ON products (created_at, id);
CREATE INDEX products_name_idx ON products (name, id);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_description_trgm_idx ON products USING gin (description gin_trgm_ops);

CREATE TABLE product_images (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);
-- Exactly one primary image when any exist (the "at least one" half is kept by the code).
CREATE UNIQUE INDEX product_images_one_primary_key ON product_images (product_id) WHERE is_primary;

CREATE TABLE listings (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE,
    price NUMERIC(12, 2) NOT NULL CHECK (price >= 0.01),
    quantity INTEGER NOT NULL,
    reserved_quantity INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'out_of_stock')),
    featured BOOLEAN NOT NULL DEFAULT FALSE,
    discount_percentage NUMERIC(5, 2) CHECK (discount_percentage BETWEEN 0.01 AND 99.99),
    discount_start_date TIMESTAMPTZ,
    discount_end_date TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The last line of defence against overselling (design §3).
    CHECK (0 <= reserved_quantity AND reserved_quantity <= quantity)
);
CREATE INDEX listings_status_idx ON listings (status, id);
CREATE INDEX listings_price_idx ON listings (price, id);
CREATE INDEX listings_created_idx ON listings (created_at, id);
CREATE INDEX listings_featured_idx ON listings (featured, id) WHERE featured;

CREATE TABLE auctions (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE,
    starting_price NUMERIC(12, 2) NOT NULL CHECK (starting_price >= 0.01),
    current_price NUMERIC(12, 2) NOT NULL CHECK (current_price >= starting_price),
    reserve_price NUMERIC(12, 2) CHECK (reserve_price >= 0.01),
    start_time TIMESTAMPTZ NOT NULL,
    end_time TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended', 'cancelled', 'completed')),
    winner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    total_bids INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (end_time > start_time)
);
CREATE INDEX auctions_status_end_idx ON auctions (status, end_time, id);
CREATE INDEX auctions_end_idx ON auctions (end_time, id);
CREATE INDEX auctions_price_idx ON auctions (current_price, id);
CREATE INDEX auctions_created_idx ON auctions (created_at, id);

CREATE TABLE bids (
    id BIGSERIAL PRIMARY KEY,
    auction_id BIGINT NOT NULL REFERENCES auctions (id) ON DELETE CASCADE,
    bidder_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount NUMERIC(12, 2) NOT NULL CHECK (amount >= 0.01),
    bid_time TIMESTAMPTZ NOT NULL DEFAULT now(),
    is_winning BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX bids_auction_idx ON bids (auction_id, id DESC);
CREATE INDEX bids_bidder_idx ON bids (bidder_id);
CREATE UNIQUE INDEX bids_one_winning_key ON bids (auction_id) WHERE is_winning;
