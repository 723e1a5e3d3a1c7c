DROP INDEX api_tokens_user_recent_idx;
ALTER TABLE api_tokens DROP COLUMN client;
