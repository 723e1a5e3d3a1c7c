UPDATE refund_sellers SET status = 'succeeded' WHERE status = 'netted';
ALTER TABLE refund_sellers DROP CONSTRAINT refund_sellers_status_check;
ALTER TABLE refund_sellers ADD CONSTRAINT refund_sellers_status_check
    CHECK (status IN ('pending', 'succeeded'));
