//! Diesel table definitions; they mirror `migrations/`.

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Varchar,
        email -> Varchar,
        password_hash -> Text,
        first_name -> Varchar,
        last_name -> Varchar,
        phone_number -> Varchar,
        profile_picture -> Nullable<Text>,
        role -> Text,
        is_blocked -> Bool,
        is_active -> Bool,
        failed_payment_count -> Int4,
        stripe_customer_id -> Nullable<Text>,
        stripe_account_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        user_id -> Int8,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        client -> Text,
    }
}

diesel::table! {
    provinces (id) {
        id -> Int8,
        name -> Varchar,
    }
}

diesel::table! {
    cities (id) {
        id -> Int8,
        name -> Varchar,
        province_id -> Int8,
    }
}

diesel::table! {
    addresses (id) {
        id -> Int8,
        user_id -> Int8,
        street_address -> Varchar,
        city_id -> Int8,
        postal_code -> Varchar,
        is_default -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    categories (id) {
        id -> Int8,
        name -> Varchar,
        description -> Text,
        parent_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    seller_profiles (id) {
        id -> Int8,
        user_id -> Int8,
        brand_name -> Varchar,
        biography -> Text,
        business_address_text -> Text,
        business_address_id -> Nullable<Int8>,
        business_phone -> Varchar,
        website -> Varchar,
        social_media_links -> Jsonb,
        is_verified -> Bool,
        average_rating -> Numeric,
        total_feedbacks -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        user_id -> Int8,
        notification_type -> Text,
        title -> Varchar,
        message -> Text,
        is_read -> Bool,
        is_sent_via_email -> Bool,
        email_sent_at -> Nullable<Timestamptz>,
        order_id -> Nullable<Int8>,
        auction_id -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Int8,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        unique_key -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    products (id) {
        id -> Int8,
        seller_id -> Int8,
        category_id -> Nullable<Int8>,
        name -> Varchar,
        description -> Text,
        condition -> Text,
        listing_type -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    product_images (id) {
        id -> Int8,
        product_id -> Int8,
        path -> Text,
        is_primary -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listings (id) {
        id -> Int8,
        product_id -> Int8,
        price -> Numeric,
        quantity -> Int4,
        reserved_quantity -> Int4,
        status -> Text,
        featured -> Bool,
        discount_percentage -> Nullable<Numeric>,
        discount_start_date -> Nullable<Timestamptz>,
        discount_end_date -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    auctions (id) {
        id -> Int8,
        product_id -> Int8,
        starting_price -> Numeric,
        current_price -> Numeric,
        reserve_price -> Nullable<Numeric>,
        start_time -> Timestamptz,
        end_time -> Timestamptz,
        status -> Text,
        winner_id -> Nullable<Int8>,
        total_bids -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        leader_id -> Nullable<Int8>,
        previous_leader_id -> Nullable<Int8>,
        winning_bid_id -> Nullable<Int8>,
    }
}

diesel::table! {
    complaints (id) {
        id -> Int8,
        complaint_number -> Text,
        user_id -> Int8,
        category -> Text,
        subject -> Varchar,
        description -> Text,
        order_id -> Nullable<Int8>,
        seller_id -> Nullable<Int8>,
        status -> Text,
        admin_notes -> Text,
        resolved_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    conversations (id) {
        id -> Int8,
        buyer_id -> Int8,
        seller_id -> Int8,
        product_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages (id) {
        id -> Int8,
        conversation_id -> Int8,
        sender_id -> Int8,
        content -> Text,
        is_read -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    proxy_bids (auction_id, bidder_id) {
        auction_id -> Int8,
        bidder_id -> Int8,
        max_amount -> Numeric,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    feedbacks (id) {
        id -> Int8,
        order_id -> Int8,
        buyer_id -> Int8,
        seller_id -> Int8,
        seller_rating -> Int2,
        seller_comment -> Text,
        platform_rating -> Int2,
        platform_comment -> Text,
        communication_rating -> Int2,
        product_as_described -> Bool,
        shipping_speed_rating -> Int2,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    once_keys (key) {
        key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    payment_violations (id) {
        id -> Int8,
        user_id -> Int8,
        auction_id -> Nullable<Int8>,
        order_id -> Int8,
        violation_date -> Timestamptz,
        payment_deadline -> Nullable<Timestamptz>,
        notes -> Text,
    }
}

diesel::table! {
    bids (id) {
        id -> Int8,
        auction_id -> Int8,
        bidder_id -> Int8,
        amount -> Numeric,
        bid_time -> Timestamptz,
        outbid_notified -> Bool,
    }
}

diesel::table! {
    wishlist_items (id) {
        id -> Int8,
        user_id -> Int8,
        product_id -> Int8,
        notes -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    product_reviews (id) {
        id -> Int8,
        product_id -> Int8,
        buyer_id -> Int8,
        order_id -> Nullable<Int8>,
        rating -> Int2,
        title -> Varchar,
        comment -> Text,
        is_verified_purchase -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(product_reviews -> products (product_id));
diesel::table! {
    carts (id) {
        id -> Int8,
        user_id -> Int8,
        notice_sent_for -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cart_items (id) {
        id -> Int8,
        cart_id -> Int8,
        listing_id -> Int8,
        quantity -> Int4,
        held -> Int4,
        held_until -> Nullable<Timestamptz>,
        added_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    orders (id) {
        id -> Int8,
        order_number -> Text,
        buyer_id -> Int8,
        order_type -> Text,
        seller_id -> Nullable<Int8>,
        product_id -> Nullable<Int8>,
        auction_id -> Nullable<Int8>,
        quantity -> Int4,
        unit_price -> Nullable<Numeric>,
        total_amount -> Numeric,
        platform_fee -> Numeric,
        seller_amount -> Numeric,
        currency -> Text,
        shipping_address_id -> Nullable<Int8>,
        status -> Text,
        payment_reference -> Text,
        payment_url -> Text,
        payment_deadline -> Nullable<Timestamptz>,
        idempotency_key -> Nullable<Text>,
        paid_at -> Nullable<Timestamptz>,
        shipped_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Int8,
        order_id -> Int8,
        product_id -> Int8,
        listing_id -> Nullable<Int8>,
        seller_id -> Int8,
        product_name -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        subtotal -> Numeric,
        is_shipped -> Bool,
        shipped_at -> Nullable<Timestamptz>,
        tracking_number -> Nullable<Text>,
        created_at -> Timestamptz,
        refunded_quantity -> Int4,
    }
}

diesel::table! {
    order_sellers (order_id, seller_id) {
        order_id -> Int8,
        seller_id -> Int8,
        subtotal -> Numeric,
        platform_fee -> Numeric,
        seller_amount -> Numeric,
        refunded -> Numeric,
        fee_refunded -> Numeric,
    }
}

diesel::table! {
    payments (id) {
        id -> Int8,
        order_id -> Int8,
        payment_intent_id -> Nullable<Text>,
        charge_id -> Nullable<Text>,
        amount -> Numeric,
        currency -> Text,
        status -> Text,
        completed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    seller_transfers (id) {
        id -> Int8,
        order_id -> Int8,
        payment_id -> Int8,
        seller_id -> Int8,
        amount -> Numeric,
        platform_fee -> Numeric,
        currency -> Text,
        stripe_transfer_id -> Text,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        provider_amount -> Nullable<Int8>,
        provider_reversed -> Int8,
    }
}

diesel::table! {
    refunds (id) {
        id -> Int8,
        order_id -> Int8,
        amount -> Numeric,
        reason -> Text,
        restock -> Bool,
        requested_by -> Nullable<Int8>,
        status -> Text,
        provider_refund_id -> Text,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    refund_sellers (refund_id, seller_id) {
        refund_id -> Int8,
        seller_id -> Int8,
        amount -> Numeric,
        platform_fee -> Numeric,
        reversal -> Numeric,
        provider_reversal_id -> Text,
        status -> Text,
    }
}

diesel::table! {
    refund_items (refund_id, order_item_id) {
        refund_id -> Int8,
        order_item_id -> Int8,
        quantity -> Int4,
    }
}

diesel::table! {
    payout_accounts (user_id) {
        user_id -> Int8,
        account_id -> Text,
        details_submitted -> Bool,
        charges_enabled -> Bool,
        payouts_enabled -> Bool,
        requirements -> Jsonb,
        last_event_at -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    payment_events (id) {
        id -> Text,
        order_id -> Nullable<Int8>,
        received_at -> Timestamptz,
    }
}

diesel::joinable!(product_reviews -> users (buyer_id));
diesel::joinable!(wishlist_items -> products (product_id));
diesel::joinable!(products -> users (seller_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(listings -> products (product_id));
diesel::joinable!(auctions -> products (product_id));
diesel::joinable!(bids -> auctions (auction_id));
diesel::joinable!(feedbacks -> orders (order_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(feedbacks -> users (buyer_id));
diesel::joinable!(payment_violations -> orders (order_id));
diesel::joinable!(bids -> users (bidder_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(cities -> provinces (province_id));
diesel::joinable!(addresses -> users (user_id));
diesel::joinable!(addresses -> cities (city_id));
diesel::joinable!(seller_profiles -> users (user_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(carts -> users (user_id));
diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(cart_items -> listings (listing_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_sellers -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(seller_transfers -> orders (order_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(refund_sellers -> refunds (refund_id));
diesel::joinable!(refund_items -> refunds (refund_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    api_tokens,
    provinces,
    cities,
    addresses,
    categories,
    seller_profiles,
    notifications,
    jobs,
    rate_limits,
    products,
    product_images,
    listings,
    auctions,
    bids,
    wishlist_items,
    product_reviews,
    carts,
    cart_items,
    orders,
    order_items,
    order_sellers,
    payments,
    seller_transfers,
    payment_events,
    payout_accounts,
    refunds,
    refund_sellers,
    refund_items,
    once_keys,
    payment_violations,
    feedbacks,
    proxy_bids,
    conversations,
    messages,
    complaints,
);

diesel::define_sql_function! {
    /// SQL `lower(text)`, for case-insensitive lookups that use the `lower(...)` indexes.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
