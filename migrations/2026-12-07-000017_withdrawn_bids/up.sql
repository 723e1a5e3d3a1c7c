-- Bids withdrawn when their bidder was blocked: kept for the record (and for operators), no
-- longer standing on their auction.
CREATE TABLE withdrawn_bids (
    id bigint PRIMARY KEY,
    auction_id bigint NOT NULL REFERENCES auctions (id) ON DELETE CASCADE,
    bidder_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount numeric(12, 2) NOT NULL,
    bid_time timestamptz NOT NULL,
    withdrawn_at timestamptz NOT NULL DEFAULT now(),
    reason text NOT NULL
);
CREATE INDEX withdrawn_bids_auction ON withdrawn_bids (auction_id);
