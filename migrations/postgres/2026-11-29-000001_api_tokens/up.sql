-- API tokens (SPEC §4.1). Only the SHA-256 of a token is kept; its text is shown once, when
-- it is made. A revoked token keeps its row (so a request with it can be told it was
-- revoked) but frees its name for a new token.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> ''),
    role TEXT NOT NULL CHECK (role IN ('viewer', 'baker', 'manager')),
    secret_hash TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (name) WHERE revoked_at IS NULL;
