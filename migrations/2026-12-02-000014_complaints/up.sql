-- Complaints about an order, a seller or the platform; admins move them through their workflow.
CREATE TABLE complaints (
    id BIGSERIAL PRIMARY KEY,
    complaint_number TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL CHECK (category IN ('payment', 'seller', 'product', 'platform', 'shipping', 'other')),
    subject VARCHAR(255) NOT NULL CHECK (subject <> ''),
    description TEXT NOT NULL CHECK (description <> ''),
    order_id BIGINT REFERENCES orders (id) ON DELETE SET NULL,
    seller_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    admin_notes TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX complaints_user_idx ON complaints (user_id, created_at DESC);
CREATE INDEX complaints_status_idx ON complaints (status, created_at DESC);
