-- One random identity per database (per install): `id` makes ids this install hands to the
-- world (email Message-IDs) unique across installs, while staying the same across instances,
-- restarts and retries of one install. `secret` is never shown: it keys the links of the
-- offline payment gateway's pages, so every instance can check a link any instance made.
CREATE TABLE install (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    id text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', ''),
    secret text NOT NULL DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
);
INSERT INTO install DEFAULT VALUES;
