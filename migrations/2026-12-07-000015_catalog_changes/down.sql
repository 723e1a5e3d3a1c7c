DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'users', 'provinces', 'cities', 'addresses', 'categories', 'seller_profiles',
        'products', 'product_images', 'listings', 'auctions', 'bids', 'product_reviews',
        'feedbacks', 'payout_accounts'
    ] LOOP
        EXECUTE format('DROP TRIGGER catalog_changed ON %I', t);
    END LOOP;
END
$$;
DROP FUNCTION madeinpk_catalog_changed();
DROP TABLE catalog_versions;
