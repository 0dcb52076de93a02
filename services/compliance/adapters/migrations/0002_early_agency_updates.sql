-- Agency updates that arrived on Kafka before the referral they name. Kafka keeps order within a
-- partition only: an agency answering a referral the moment it sees it can overtake compliance's
-- own reading of that referral. Such an update waits here, as the record it came in, until the
-- referral arrives (it is then applied) or the hold period ends (it is then dead-lettered).
CREATE TABLE early_agency_updates (
    id            bigserial   PRIMARY KEY,
    referral_id   uuid        NOT NULL,
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
CREATE INDEX early_agency_updates_referral ON early_agency_updates (referral_id);
CREATE INDEX early_agency_updates_received ON early_agency_updates (received_at);
