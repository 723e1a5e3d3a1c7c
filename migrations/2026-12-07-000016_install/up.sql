-- One random identity per database (per install): it makes ids this install hands to the world
-- (email Message-IDs) unique across installs, while staying the same across instances,
-- restarts and retries of one install.
CREATE TABLE install (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    id text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '')
);
INSERT INTO install DEFAULT VALUES;
