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
);

diesel::define_sql_function! {
    /// SQL `lower(text)`, for case-insensitive lookups that use the `lower(...)` indexes.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
