-- Proxy bidding (opt-in): a bidder's standing maximum on an auction.
CREATE TABLE proxy_bids (
    auction_id BIGINT NOT NULL REFERENCES auctions (id) ON DELETE CASCADE,
    bidder_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    max_amount NUMERIC(12, 2) NOT NULL CHECK (max_amount > 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (auction_id, bidder_id)
);
CREATE INDEX proxy_bids_best_idx ON proxy_bids (auction_id, max_amount DESC, updated_at);
