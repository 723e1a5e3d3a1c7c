-- Every committed change to what the catalogue pages show moves the catalogue's version, from
-- the data itself: whichever instance, job or person wrote it. A cached page is served only
-- while the version it was computed under is current, so no instance serves a page older than
-- the last committed write. The version is the sum of 64 counters. A writer bumps one that no
-- other transaction holds (its connection's own, if free), so writers never wait for each other
-- on the counters and cannot deadlock over them.
CREATE TABLE catalog_versions (
    shard integer PRIMARY KEY,
    v bigint NOT NULL DEFAULT 0
);
INSERT INTO catalog_versions (shard) SELECT generate_series(0, 63);

CREATE FUNCTION madeinpk_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mine integer := pg_backend_pid() % 64;
    free integer;
BEGIN
    SELECT shard INTO free FROM catalog_versions
        ORDER BY (shard + 64 - mine) % 64 LIMIT 1 FOR UPDATE SKIP LOCKED;
    -- All 64 held by others (never seen): wait for our own rather than miss the change.
    UPDATE catalog_versions SET v = v + 1 WHERE shard = coalesce(free, mine);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'users', 'provinces', 'cities', 'addresses', 'categories', 'seller_profiles',
        'products', 'product_images', 'listings', 'auctions', 'bids', 'product_reviews',
        'feedbacks', 'payout_accounts'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION madeinpk_catalog_changed()', t);
    END LOOP;
END
$$;
