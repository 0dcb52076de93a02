-- One sign-in for the workspace and the operations dashboard (issue 25): a person signed in to the workspace is
-- handed to the dashboard with a one-time code, which the dashboard redeems here with its own operations key. A
-- code lives a minute, is kept only as its SHA-256, and is redeemed once.

CREATE TABLE sign_in_handoffs (
    code_hash   bytea PRIMARY KEY,
    person_id   uuid        NOT NULL REFERENCES people (person_id),
    expires_at  timestamptz NOT NULL,
    redeemed_at timestamptz
);
