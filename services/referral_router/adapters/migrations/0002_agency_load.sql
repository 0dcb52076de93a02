-- Each agency's count of active referrals, kept by a trigger as referrals change status.
-- Routing reads agency load for every case; counting the active referrals each time cost a scan
-- that grew with the caseload (`make bench` measured it as the router's most expensive query).
-- Writers already serialise on the router's capacity lock, so the counter rows are not contended.
CREATE TABLE agency_load (
    agency_id text    PRIMARY KEY,
    active    integer NOT NULL CHECK (active >= 0)
);

INSERT INTO agency_load (agency_id, active)
SELECT agency_id, count(*) FROM referrals WHERE status IN ('issued', 'accepted', 'in_progress') GROUP BY agency_id;

CREATE FUNCTION count_agency_load() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_active boolean := TG_OP = 'UPDATE' AND OLD.status IN ('issued', 'accepted', 'in_progress');
    is_active  boolean := NEW.status IN ('issued', 'accepted', 'in_progress');
BEGIN
    IF is_active AND NOT was_active THEN
        INSERT INTO agency_load AS load (agency_id, active) VALUES (NEW.agency_id, 1)
            ON CONFLICT (agency_id) DO UPDATE SET active = load.active + 1;
    ELSIF was_active AND NOT is_active THEN
        UPDATE agency_load SET active = active - 1 WHERE agency_id = OLD.agency_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER referrals_count_agency_load AFTER INSERT OR UPDATE OF status ON referrals
    FOR EACH ROW EXECUTE FUNCTION count_agency_load();
