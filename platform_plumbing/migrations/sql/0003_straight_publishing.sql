-- A consumer batch sends the rows it wrote itself, straight after its commit (`straight`); the relay
-- leaves such a row alone for a grace period (it sweeps it if no one confirmed it by then) unless a later
-- row of its key is the relay's, which must not overtake it. Only rows that are the relay's wake it.
ALTER TABLE outbox ADD COLUMN straight boolean NOT NULL DEFAULT false;

-- Whether a row's key has an earlier row not yet sent, asked by every batch that sends straight.
CREATE INDEX outbox_unsent_key ON outbox (key) WHERE sent_at IS NULL;

CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted WHERE NOT straight) THEN
        PERFORM pg_notify('outbox_' || TG_TABLE_SCHEMA, '');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER outbox_inserted ON outbox;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
