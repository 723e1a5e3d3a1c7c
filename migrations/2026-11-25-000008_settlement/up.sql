-- Transfers in the settlement currency: what a payout actually paid (minor units of `currency`,
-- which may differ from the order's PKR), and how much of it the provider reports reversed
-- (our reversals and any made in its dashboard; it only grows).
ALTER TABLE seller_transfers ADD COLUMN provider_amount BIGINT CHECK (provider_amount >= 0);
ALTER TABLE seller_transfers ADD COLUMN provider_reversed BIGINT NOT NULL DEFAULT 0
    CHECK (provider_reversed >= 0);
CREATE INDEX seller_transfers_provider_idx ON seller_transfers (stripe_transfer_id)
    WHERE stripe_transfer_id <> '';
