-- A refund recorded before the seller's payout was made comes off the payout ('netted')
-- instead of being reversed after it.
ALTER TABLE refund_sellers DROP CONSTRAINT refund_sellers_status_check;
ALTER TABLE refund_sellers ADD CONSTRAINT refund_sellers_status_check
    CHECK (status IN ('pending', 'succeeded', 'netted'));
