-- Two-factor sign-in (TOTP). The secret must stay readable to compute codes; recovery codes and
-- challenges are stored as their SHA-256. `last_step` is the newest 30-second step a code was
-- accepted for: a code is accepted once (RFC 6238 §5.2).
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled_at TIMESTAMPTZ,
    last_step BIGINT NOT NULL DEFAULT -1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE two_factor_recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
CREATE TABLE two_factor_challenges (
    token_hash BYTEA PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    failures INT NOT NULL DEFAULT 0,
    -- The secret a console enrolment showed with this challenge: only it may be confirmed here.
    enrolling TEXT,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX two_factor_challenges_user ON two_factor_challenges (user_id);
