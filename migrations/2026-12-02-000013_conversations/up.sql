-- Conversations between a buyer and a seller, optionally about a product, and their messages.
CREATE TABLE conversations (
    id BIGSERIAL PRIMARY KEY,
    buyer_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seller_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id BIGINT REFERENCES products (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (buyer_id <> seller_id),
    -- NULLs are distinct, so conversations without a product may repeat (as the original).
    CONSTRAINT conversations_unique_key UNIQUE (buyer_id, seller_id, product_id)
);
CREATE INDEX conversations_buyer_idx ON conversations (buyer_id, updated_at DESC);
CREATE INDEX conversations_seller_idx ON conversations (seller_id, updated_at DESC);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content TEXT NOT NULL CHECK (content <> ''),
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id);
