-- An address is verified while it equals the one its owner proved (case-insensitively), so a
-- changed email is unverified without any other rule. Links: one live per account, stored
-- hashed, single use, for the address they were sent to.
ALTER TABLE users ADD COLUMN verified_email TEXT;
CREATE TABLE email_verifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
