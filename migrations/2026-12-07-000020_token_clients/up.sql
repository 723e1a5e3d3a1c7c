-- Each API token remembers the client that signed in (its User-Agent), so its owner can tell
-- their sessions apart (GET /api/auth/sessions/). Existing tokens keep working, as "".
ALTER TABLE api_tokens ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_user_recent_idx ON api_tokens (user_id, created_at DESC);
