-- What import-django brought across, by the source's id: a later run skips these, so a row
-- deleted here since (a revoked token, a removed product) is not brought back.
CREATE TABLE import_ledger (
    entity TEXT NOT NULL,
    source_id TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, source_id)
);
