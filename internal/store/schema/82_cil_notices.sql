-- The levy's notices: the rule that spans a demand notice's rows.
--
-- Figures defined here: none. Rule: a demand notice's instalments sum to
-- the amount it states. Regulation 69(2): a demand notice must "(e) state
-- the amount payable by the person on whom the notice is served (including
-- any surcharges imposed in respect of or interest applied to the amount)
-- and the day on which payment of the amount is due; (f) where the amount
-- payable is to paid by way of instalments, state the amount of each
-- instalment and the day on which payment of the instalment is due". A
-- notice whose instalments said one total and whose amount said another
-- would demand two different sums, so the database refuses it however it is
-- written (Go, an import, psql). Both tables are append-only (00160), so the
-- check runs once, at commit, when the notice and all its instalments have
-- been inserted in one transaction.

CREATE OR REPLACE FUNCTION cil_check_demand_instalments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    notice_id bigint;
    stated    numeric;
    summed    numeric;
BEGIN
    IF TG_TABLE_NAME = 'cil_demand_notices' THEN
        notice_id := NEW.id;
    ELSE
        notice_id := NEW.demand_notice_id;
    END IF;
    SELECT d.amount, coalesce((SELECT sum(i.amount) FROM cil_instalments i WHERE i.demand_notice_id = d.id), 0)
    INTO stated, summed
    FROM cil_demand_notices d WHERE d.id = notice_id;
    IF stated IS NOT NULL AND stated <> summed THEN
        RAISE EXCEPTION 'demand notice % states % but its instalments sum to %', notice_id, stated, summed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_demand_instalments_sum';
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS cil_demand_notices_instalments_sum ON cil_demand_notices;
CREATE CONSTRAINT TRIGGER cil_demand_notices_instalments_sum
    AFTER INSERT ON cil_demand_notices DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_demand_instalments();
DROP TRIGGER IF EXISTS cil_instalments_sum ON cil_instalments;
CREATE CONSTRAINT TRIGGER cil_instalments_sum
    AFTER INSERT ON cil_instalments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_demand_instalments();
