-- The data version (issue #10): one row whose number every write transaction raises just
-- before it commits. A server instance remembers which version each cached response was
-- computed at and serves it again only while the number is unchanged, so a write committed
-- through any instance sharing this database makes every instance's cached answers stale
-- on their next request.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
