-- Events that arrived before what they name. Kafka keeps order within a partition only, and
-- compliance reads several topics: a referral can be read before its case (when the replica
-- holding the case's partition is behind), an agency's update before its referral (when the
-- agency answers the moment it sees the referral). Such an event waits here, as the record it
-- came in, until what it awaits arrives (it is then applied) or the hold period ends (it is then
-- dead-lettered).
CREATE TABLE held_events (
    id            bigserial   PRIMARY KEY,
    awaiting      uuid        NOT NULL,  -- the case or referral id it waits for
    awaiting_what text        NOT NULL CHECK (awaiting_what IN ('case', 'referral')),
    event_id      text        NOT NULL,  -- its inbox claim, released when dead-lettered so a replay counts
    topic         text        NOT NULL,
    partition     integer     NOT NULL,
    "offset"      bigint      NOT NULL,
    key           bytea,
    header_names  text[]      NOT NULL,
    header_values bytea[]     NOT NULL,
    value         bytea,
    received_at   timestamptz NOT NULL
);
CREATE INDEX held_events_awaiting ON held_events (awaiting);
CREATE INDEX held_events_received ON held_events (received_at);
