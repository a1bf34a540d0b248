-- The audit log made tamper-evident, without changing a row of it: each event gets a link
-- holding the hash of the event before it and its own hash, SHA-256 over the previous hash and
-- the event's fields. A changed, deleted, added or reordered event no longer matches its link.
-- The hash is worked out here in SQL only, by these macros, when an event is recorded and when
-- the chain is verified (thinktank/store/audit.py), so the two can never disagree.

-- One field, unambiguously: its length in characters, a colon and its text; a dash for NULL.
CREATE MACRO audit_field(value) AS coalesce(length(value::VARCHAR) || ':' || value::VARCHAR, '-');

CREATE MACRO audit_event_hash(previous_hash, id, happened_at, actor, action, agency_id, period, file_name,
                              file_sha256, rows_read, errors, warnings, outcome, detail) AS
    sha256(concat_ws('|', previous_hash, audit_field(id),
                     audit_field(strftime(happened_at, '%Y-%m-%d %H:%M:%S.%f')), audit_field(actor),
                     audit_field(action), audit_field(agency_id), audit_field(period), audit_field(file_name),
                     audit_field(file_sha256), audit_field(rows_read), audit_field(errors), audit_field(warnings),
                     audit_field(outcome), audit_field(detail)));

-- The first event's previous hash.
CREATE MACRO audit_chain_start() AS repeat('0', 64);

-- Append-only like the log. A previous hash is unique, so the chain cannot fork: of two
-- writers linking to the same event, the second to commit is refused and tries again.
CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY,
    previous_hash VARCHAR NOT NULL UNIQUE,
    hash VARCHAR NOT NULL
);

-- The events already recorded, chained in the order of their ids.
INSERT INTO audit_chain
WITH RECURSIVE ordered AS (
    SELECT row_number() OVER (ORDER BY id) AS position, * FROM audit_log
), chain(position, id, previous_hash, hash) AS (
    SELECT position, id, audit_chain_start(),
           audit_event_hash(audit_chain_start(), id, happened_at, actor, action, agency_id, period, file_name,
                            file_sha256, rows_read, errors, warnings, outcome, detail)
    FROM ordered WHERE position = 1
    UNION ALL
    SELECT event.position, event.id, chain.hash,
           audit_event_hash(chain.hash, event.id, event.happened_at, event.actor, event.action, event.agency_id,
                            event.period, event.file_name, event.file_sha256, event.rows_read, event.errors,
                            event.warnings, event.outcome, event.detail)
    FROM chain JOIN ordered AS event ON event.position = chain.position + 1
)
SELECT id, previous_hash, hash FROM chain;
