-- Personal accounts for the people who work from the web pages (issue 25): caseworkers and their agency's
-- administrators, the force's diversion team, operations. A password is kept only as its Argon2 hash; an account
-- is disabled, never deleted, so that the history it signed stays attributable. A browser session is kept as the
-- SHA-256 of its random token (the cookie holds the token), with the token every form of that session carries.

CREATE TABLE people (
    person_id     uuid PRIMARY KEY,
    email         text        NOT NULL UNIQUE CHECK (email = lower(email)),
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('caseworker', 'agency_admin', 'diversion_team', 'operations')),
    agency_id     text,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL,
    disabled_at   timestamptz,
    disabled_by   text,
    CONSTRAINT people_agency CHECK ((role IN ('caseworker', 'agency_admin')) = (agency_id IS NOT NULL))
);

CREATE TABLE web_sessions (
    token_hash bytea PRIMARY KEY,
    person_id  uuid        NOT NULL REFERENCES people (person_id),
    csrf_token text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_person ON web_sessions (person_id);
