-- Sellers' connected payout accounts (Stripe Connect Express, or the dev gateway's), kept current
-- by account.updated events.
CREATE TABLE payout_accounts (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL UNIQUE,
    details_submitted BOOLEAN NOT NULL DEFAULT FALSE,
    charges_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    payouts_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    requirements JSONB NOT NULL DEFAULT '{}',
    -- The `created` time of the newest event applied, so an older one never wins.
    last_event_at BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
