-- Inbox: ids of events already processed, written in the same transaction as their effect,
-- so a redelivered or replayed event is recognised and changes nothing.
CREATE TABLE inbox (
    event_id     text PRIMARY KEY,
    topic        text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
