DROP INDEX seller_transfers_provider_idx;
ALTER TABLE seller_transfers DROP COLUMN provider_reversed;
ALTER TABLE seller_transfers DROP COLUMN provider_amount;
