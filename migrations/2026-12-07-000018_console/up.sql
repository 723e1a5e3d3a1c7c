-- The operator console: server-side sessions and the append-only audit log.

-- One row per signed-in console session; the cookie carries the token, the table its SHA-256.
CREATE TABLE console_sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_user_id_idx ON console_sessions (user_id);

-- Every change an operator makes, from the console or the admin API. Never updated or deleted.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    operator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    operator_name TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('console', 'api')),
    entity TEXT NOT NULL,
    entity_id BIGINT,
    -- What the record was called then (a username, an order number), for reading the log.
    label TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    before JSONB,
    after JSONB,
    outcome TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at DESC);
CREATE INDEX audit_log_operator_idx ON audit_log (operator_id, created_at DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- The console's lists and dashboard: newest orders first, paid-in-a-period sums, and product
-- names searched inside order lines.
CREATE INDEX orders_created_at_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_paid_at_idx ON orders (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX order_items_product_name_trgm ON order_items USING gin (product_name gin_trgm_ops);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Deleting the operator nulls operator_id (ON DELETE SET NULL); the name stays.
    IF TG_OP = 'UPDATE' AND NEW.operator_id IS NULL AND OLD.operator_id IS NOT NULL
       AND (to_jsonb(NEW) - 'operator_id') = (to_jsonb(OLD) - 'operator_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
