-- Live auctions. A bid is one statement on the auction row: it moves the price, records the
-- leader (and, in the same SET, who led before: the outbid bidder) and takes the new bid's id,
-- so the winning bid is the auction's `winning_bid_id` rather than a flag on every bid.
ALTER TABLE auctions ADD COLUMN leader_id BIGINT;
ALTER TABLE auctions ADD COLUMN previous_leader_id BIGINT;
ALTER TABLE auctions ADD COLUMN winning_bid_id BIGINT;
UPDATE auctions a SET winning_bid_id = b.id, leader_id = b.bidder_id
    FROM bids b WHERE b.auction_id = a.id AND b.is_winning;
DROP INDEX bids_one_winning_key;
ALTER TABLE bids DROP COLUMN is_winning;
-- The outbid notice a bid leaves behind is written once.
ALTER TABLE bids ADD COLUMN outbid_notified BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX orders_auction_idx ON orders (auction_id) WHERE auction_id IS NOT NULL;

-- Effects written once per key (reminders and other notices sent outside a state change).
CREATE TABLE once_keys (
    key TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An auction order left unpaid at its deadline.
CREATE TABLE payment_violations (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auction_id BIGINT REFERENCES auctions (id) ON DELETE SET NULL,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id) ON DELETE RESTRICT,
    violation_date TIMESTAMPTZ NOT NULL DEFAULT now(),
    payment_deadline TIMESTAMPTZ,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payment_violations_user_idx ON payment_violations (user_id);
