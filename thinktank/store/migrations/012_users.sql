-- The people who sign in, keyed by the email address their identity provider has verified, each
-- with one role (and, for an agency uploader, the agency they send returns for), and the access
-- requests of people who signed in but are not users yet.

-- A user who leaves is deactivated, not deleted: who added and changed them stays with the row.
CREATE TABLE users (
    -- Lower-cased, so that the address a provider sends matches however an admin typed it.
    email VARCHAR PRIMARY KEY CHECK (email = lower(trim(email)) AND email LIKE '_%@_%'),
    name VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('agency_uploader', 'analyst', 'plg_member', 'admin')),
    agency_id VARCHAR,
    active BOOLEAN NOT NULL,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    CHECK ((role = 'agency_uploader') = (agency_id IS NOT NULL))
);

-- What someone who signed in but is not a user asked for; an admin reads them and adds the person.
CREATE SEQUENCE access_request_ids START 1;
CREATE TABLE access_requests (
    id BIGINT PRIMARY KEY DEFAULT nextval('access_request_ids'),
    email VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    -- The agency the person sends returns for, if they said; NULL for the Think Tank or the PLG.
    agency_id VARCHAR,
    reason VARCHAR NOT NULL,
    requested_at TIMESTAMP NOT NULL
);
