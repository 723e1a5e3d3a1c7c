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
    }
}

diesel::table! {
    bids (id) {
        id -> Int8,
        auction_id -> Int8,
        bidder_id -> Int8,
        amount -> Numeric,
        bid_time -> Timestamptz,
        is_winning -> Bool,
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
diesel::joinable!(product_reviews -> users (buyer_id));
diesel::joinable!(wishlist_items -> products (product_id));
diesel::joinable!(products -> users (seller_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(listings -> products (product_id));
diesel::joinable!(auctions -> products (product_id));
diesel::joinable!(bids -> auctions (auction_id));
diesel::joinable!(bids -> users (bidder_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(cities -> provinces (province_id));
diesel::joinable!(addresses -> users (user_id));
diesel::joinable!(addresses -> cities (city_id));
diesel::joinable!(seller_profiles -> users (user_id));
diesel::joinable!(notifications -> users (user_id));

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
);

diesel::define_sql_function! {
    /// SQL `lower(text)`, for case-insensitive lookups that use the `lower(...)` indexes.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
