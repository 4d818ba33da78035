-- The levy's ledger: its pots, what each holds, and the rules no writer
-- (Go, an import, psql) can break (issue 20, item 4).
--
-- Figures defined here:
--   per pot, what was received into it, passed on, recovered, applied,
--     repaid, allocated and spent (cil_pot_totals, from cil_pot_movements);
--     the pots are 'admin' (regulation 61), 'neighbourhood' per parish
--     (59A; kept by the council where the parish has no council or declines
--     it, 59F, and what was recovered from a parish, 59E), 'strategic' (the
--     remainder) and 'mayor' (Mayoral CIL collected for the Mayor);
--   per project, pot and parish, what was allocated and spent
--     (cil_project_totals);
--   what each parish is due and by when under 59D (cil_parish_dues).
-- Pages that read them: /cil/developments/{id}/money, /cil/receipts,
-- /cil/parishes, /cil/parish-payments, /cil/projects (internal/cil,
-- web/cil_money.go, web/cil_parishes.go); the CIL report, alerts and
-- dashboard may read them too.
--
-- How they are kept: statement triggers on cil_ledger_entries and
-- cil_receipt_portions move the kept rows by each new row's amounts (a
-- reversal moves its entry's, and a receipt's portions', back) with
-- INSERT ... ON CONFLICT DO UPDATE, which locks the kept row: a second
-- writer to the same pot waits for the first and then adds to the
-- committed figures. The rules "nothing passed, applied, repaid or
-- allocated beyond what the pot received" and "nothing spent beyond what
-- was allocated" are CHECK constraints on the kept rows, so of two
-- payments that together overdraw a parish's pot exactly one commits.
-- Rules over several rows of one receipt (its portions sum to it; its
-- instalments) are deferred constraint triggers, checked at commit.
-- cil_totals_drift proves the kept rows equal a computation from scratch
-- (checked empty after every database test, see 90_drift.sql).
--
-- Re-applied after every `s106 migrate up` (see 10_ledger_totals.sql).

-- What each entry does to each pot -------------------------------------------

-- One row per movement of an entry of cil_ledger_entries (reversed or
-- not): a receipt moves nothing by itself; its portions (cil_receipt_portions)
-- are what it adds to each pot. A repayment of an overpayment (regulation
-- 75) comes out of the strategic pot (the Mayor's for Mayoral CIL): the
-- whole of the portions stood when received, and the council repays from
-- what it holds. Nothing here is kept; it is what the kept totals, the
-- drift check and the triggers share.
CREATE OR REPLACE VIEW cil_pot_movements AS
SELECT p.receipt_id AS entry_id, p.portion AS pot, coalesce(p.parish_code, '') AS parish_code,
       p.amount AS received, 0::numeric AS passed, 0::numeric AS recovered, 0::numeric AS applied,
       0::numeric AS repaid, 0::numeric AS allocated, 0::numeric AS spent
FROM cil_receipt_portions p
UNION ALL
SELECT e.id,
       CASE e.kind
           WHEN 'parish-payment' THEN 'neighbourhood'
           WHEN 'parish-recovery' THEN 'neighbourhood'
           WHEN 'admin' THEN 'admin'
           WHEN 'mayor-payment' THEN 'mayor'
           WHEN 'repayment' THEN CASE e.charging_authority WHEN 'mayor' THEN 'mayor' ELSE 'strategic' END
           ELSE e.pot
       END,
       CASE WHEN e.kind IN ('parish-payment', 'parish-recovery') OR e.pot = 'neighbourhood' THEN e.parish_code ELSE '' END,
       0,
       CASE WHEN e.kind IN ('parish-payment', 'mayor-payment') THEN e.amount ELSE 0 END,
       CASE WHEN e.kind = 'parish-recovery' THEN e.amount ELSE 0 END,
       CASE WHEN e.kind = 'admin' THEN e.amount ELSE 0 END,
       CASE WHEN e.kind = 'repayment' THEN e.amount ELSE 0 END,
       CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END,
       CASE WHEN e.kind = 'spend' THEN e.amount ELSE 0 END
FROM cil_ledger_entries e
WHERE e.kind NOT IN ('receipt', 'reversal');

-- Kept tables -------------------------------------------------------------------

-- parish_code is '' for the pots that are not a parish's.
CREATE TABLE IF NOT EXISTS cil_pot_totals (
    pot         text NOT NULL,
    parish_code text NOT NULL DEFAULT '',
    received    numeric NOT NULL DEFAULT 0,
    passed      numeric NOT NULL DEFAULT 0,
    recovered   numeric NOT NULL DEFAULT 0,
    applied     numeric NOT NULL DEFAULT 0,
    repaid      numeric NOT NULL DEFAULT 0,
    allocated   numeric NOT NULL DEFAULT 0,
    spent       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (pot, parish_code)
);

CREATE TABLE IF NOT EXISTS cil_project_totals (
    project_id  bigint NOT NULL REFERENCES projects (id),
    pot         text NOT NULL,
    parish_code text NOT NULL DEFAULT '',
    allocated   numeric NOT NULL DEFAULT 0,
    spent       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, pot, parish_code)
);

-- From-scratch computations ----------------------------------------------------

CREATE OR REPLACE VIEW cil_pot_totals_computed AS
SELECT m.pot, m.parish_code, sum(m.received) AS received, sum(m.passed) AS passed, sum(m.recovered) AS recovered,
       sum(m.applied) AS applied, sum(m.repaid) AS repaid, sum(m.allocated) AS allocated, sum(m.spent) AS spent
FROM cil_pot_movements m
JOIN cil_ledger_effective e ON e.id = m.entry_id
GROUP BY m.pot, m.parish_code;

CREATE OR REPLACE VIEW cil_project_totals_computed AS
SELECT e.project_id, e.pot, coalesce(CASE WHEN e.pot = 'neighbourhood' THEN e.parish_code END, '') AS parish_code,
       sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END) AS allocated,
       sum(CASE WHEN e.kind = 'spend' THEN e.amount ELSE 0 END) AS spent
FROM cil_ledger_effective e
WHERE e.project_id IS NOT NULL
GROUP BY 1, 2, 3;

-- The rules on the kept rows -------------------------------------------------------

-- What the pots and projects may hold, checked on each kept row a
-- transaction moved, when it commits (a constraint trigger, deferred):
--   a pot passes to a parish or the Mayor, applies to administrative
--   expenses, repays or allocates nothing beyond what it received (and,
--   for a parish's pot, what was recovered from the parish);
--   nothing is spent beyond what was allocated, and an allocation is
--   never released below nothing;
--   59E: what is recovered from a parish was passed to it first.
-- At commit, not after each statement: a writer that loads many entries
-- at once (a restore, in the order its tables go in: the ledger before
-- the receipts' portions; a bulk load whose reversals follow what they
-- reverse) is judged on the ledger it leaves, as the section 106
-- ledger's balance check is. Two writers still cannot both overdraw: the
-- second waits on the kept row the first moved (the lock taken below),
-- then moves it past the limit and is refused when it commits. The
-- errors name the rule (CONSTRAINT), which the service turns into a
-- message on the form's field (internal/cil, invariantError).
CREATE OR REPLACE FUNCTION cil_check_pot_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t cil_pot_totals;
    what text;
BEGIN
    SELECT * INTO t FROM cil_pot_totals WHERE pot = NEW.pot AND parish_code = NEW.parish_code;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    what := t.pot || CASE WHEN t.parish_code <> '' THEN ' (' || t.parish_code || ')' ELSE '' END;
    IF t.allocated < 0 THEN
        RAISE EXCEPTION 'the % pot would release more than it allocated', what
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_pot_allocated_not_negative';
    ELSIF t.passed + t.applied + t.repaid + t.allocated > t.received + t.recovered THEN
        RAISE EXCEPTION 'the % pot would pass on, apply, repay or allocate % of the % it received', what,
            t.passed + t.applied + t.repaid + t.allocated, t.received + t.recovered
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_pot_within_received';
    ELSIF t.spent > t.allocated THEN
        RAISE EXCEPTION 'the % pot would spend % of the % allocated', what, t.spent, t.allocated
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_pot_spent_within_allocated';
    ELSIF t.recovered > t.passed THEN
        RAISE EXCEPTION 'the % pot would recover % of the % passed to the parish', what, t.recovered, t.passed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_pot_recovered_within_passed';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION cil_check_project_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t cil_project_totals;
BEGIN
    SELECT * INTO t FROM cil_project_totals WHERE project_id = NEW.project_id AND pot = NEW.pot AND parish_code = NEW.parish_code;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF t.allocated < 0 THEN
        RAISE EXCEPTION 'project % would release more than was allocated to it from the % pot', t.project_id, t.pot
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_project_allocated_not_negative';
    ELSIF t.spent > t.allocated THEN
        RAISE EXCEPTION 'project % would spend % of the % allocated to it from the % pot', t.project_id, t.spent, t.allocated, t.pot
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_project_spent_within_allocated';
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS cil_pot_totals_rules ON cil_pot_totals;
CREATE CONSTRAINT TRIGGER cil_pot_totals_rules
    AFTER INSERT OR UPDATE ON cil_pot_totals DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_pot_totals();
DROP TRIGGER IF EXISTS cil_project_totals_rules ON cil_project_totals;
CREATE CONSTRAINT TRIGGER cil_project_totals_rules
    AFTER INSERT OR UPDATE ON cil_project_totals DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_project_totals();

-- Moving the kept rows ------------------------------------------------------------

-- Adds the movements of the entries ids (sign 1) or takes them back (-1).
-- The kept rows are first made (zero, if missing), then locked in key
-- order, so that two writers lock shared rows in the same order, and only
-- then moved (the UPDATE reads the row as the last writer committed it):
-- an INSERT ... ON CONFLICT DO UPDATE would insert or move the row
-- before the lock was taken in key order.
CREATE OR REPLACE FUNCTION cil_move_pot_totals(ids bigint[], sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO cil_pot_totals (pot, parish_code)
    SELECT DISTINCT m.pot, m.parish_code FROM cil_pot_movements m WHERE m.entry_id = ANY (ids) ORDER BY 1, 2
    ON CONFLICT (pot, parish_code) DO NOTHING;
    PERFORM 1 FROM cil_pot_totals t
    WHERE (t.pot, t.parish_code) IN (SELECT m.pot, m.parish_code FROM cil_pot_movements m WHERE m.entry_id = ANY (ids))
    ORDER BY t.pot, t.parish_code
    FOR NO KEY UPDATE;
    UPDATE cil_pot_totals t
    SET received = t.received + m.received, passed = t.passed + m.passed, recovered = t.recovered + m.recovered,
        applied = t.applied + m.applied, repaid = t.repaid + m.repaid, allocated = t.allocated + m.allocated,
        spent = t.spent + m.spent
    FROM (
        SELECT m.pot, m.parish_code, sign * sum(m.received) AS received, sign * sum(m.passed) AS passed,
               sign * sum(m.recovered) AS recovered, sign * sum(m.applied) AS applied, sign * sum(m.repaid) AS repaid,
               sign * sum(m.allocated) AS allocated, sign * sum(m.spent) AS spent
        FROM cil_pot_movements m
        WHERE m.entry_id = ANY (ids)
        GROUP BY m.pot, m.parish_code
    ) m
    WHERE t.pot = m.pot AND t.parish_code = m.parish_code;
END;
$$;

CREATE OR REPLACE FUNCTION cil_move_project_totals(ids bigint[], sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cil_project_totals (project_id, pot, parish_code)
    SELECT DISTINCT e.project_id, e.pot, coalesce(CASE WHEN e.pot = 'neighbourhood' THEN e.parish_code END, '')
    FROM cil_ledger_entries e
    WHERE e.id = ANY (ids) AND e.project_id IS NOT NULL
    ORDER BY 1, 2, 3
    ON CONFLICT (project_id, pot, parish_code) DO NOTHING;
    PERFORM 1 FROM cil_project_totals t
    WHERE (t.project_id, t.pot, t.parish_code) IN (
        SELECT e.project_id, e.pot, coalesce(CASE WHEN e.pot = 'neighbourhood' THEN e.parish_code END, '')
        FROM cil_ledger_entries e WHERE e.id = ANY (ids) AND e.project_id IS NOT NULL)
    ORDER BY t.project_id, t.pot, t.parish_code
    FOR NO KEY UPDATE;
    UPDATE cil_project_totals t
    SET allocated = t.allocated + m.allocated, spent = t.spent + m.spent
    FROM (
        SELECT e.project_id, e.pot, coalesce(CASE WHEN e.pot = 'neighbourhood' THEN e.parish_code END, '') AS parish_code,
               sign * sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END) AS allocated,
               sign * sum(CASE WHEN e.kind = 'spend' THEN e.amount ELSE 0 END) AS spent
        FROM cil_ledger_entries e
        WHERE e.id = ANY (ids) AND e.project_id IS NOT NULL
        GROUP BY 1, 2, 3
    ) m
    WHERE t.project_id = m.project_id AND t.pot = m.pot AND t.parish_code = m.parish_code;
END;
$$;

-- New entries move their pots; a reversal moves back what its entry (with
-- a receipt's portions) moved. A new receipt moves nothing: its portions'
-- own trigger adds them, also when one statement writes the receipt and
-- its portions (a data-modifying WITH), where this trigger would otherwise
-- see the portions too and count them twice.
CREATE OR REPLACE FUNCTION cil_ledger_entries_move_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint[] := ARRAY(SELECT id FROM new_rows WHERE kind NOT IN ('reversal', 'receipt') ORDER BY id);
    reversed bigint[] := ARRAY(SELECT reverses_id FROM new_rows WHERE kind = 'reversal' ORDER BY reverses_id);
BEGIN
    PERFORM cil_move_pot_totals(added, 1);
    PERFORM cil_move_pot_totals(reversed, -1);
    PERFORM cil_move_project_totals(added, 1);
    PERFORM cil_move_project_totals(reversed, -1);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION cil_receipt_portions_move_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cil_pot_totals (pot, parish_code)
    SELECT DISTINCT n.portion, coalesce(n.parish_code, '') FROM new_rows n ORDER BY 1, 2
    ON CONFLICT (pot, parish_code) DO NOTHING;
    PERFORM 1 FROM cil_pot_totals t
    WHERE (t.pot, t.parish_code) IN (SELECT n.portion, coalesce(n.parish_code, '') FROM new_rows n)
    ORDER BY t.pot, t.parish_code
    FOR NO KEY UPDATE;
    UPDATE cil_pot_totals t
    SET received = t.received + m.received
    FROM (
        SELECT n.portion AS pot, coalesce(n.parish_code, '') AS parish_code, sum(n.amount) AS received
        FROM new_rows n
        JOIN cil_ledger_effective e ON e.id = n.receipt_id
        GROUP BY 1, 2
    ) m
    WHERE t.pot = m.pot AND t.parish_code = m.parish_code;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER cil_ledger_entries_totals
    AFTER INSERT ON cil_ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_ledger_entries_move_totals();
CREATE OR REPLACE TRIGGER cil_receipt_portions_totals
    AFTER INSERT ON cil_receipt_portions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_receipt_portions_move_totals();

-- Rules of one entry, checked as it is written ------------------------------------

-- A reversal names a standing entry that is not itself a reversal and
-- carries its amount; a receipt's demand notice is its development's and
-- its authority's; money is passed only to a parish that receives it (a
-- parish that has no council or declined the money: the council keeps
-- its portion, 59F); administrative expenses are the council's own levy.
CREATE OR REPLACE FUNCTION cil_check_entry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target cil_ledger_entries%ROWTYPE;
    notice cil_demand_notices%ROWTYPE;
    kept numeric;
BEGIN
    IF NEW.kind = 'reversal' THEN
        SELECT * INTO target FROM cil_ledger_entries WHERE id = NEW.reverses_id;
        IF target.kind = 'reversal' THEN
            RAISE EXCEPTION 'a reversal cannot be reversed'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_reversal_of_reversal';
        END IF;
        IF target.amount <> NEW.amount THEN
            RAISE EXCEPTION 'a reversal must carry the amount of the entry it reverses (%)', target.amount
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_reversal_amount';
        END IF;
    END IF;
    IF NEW.demand_notice_id IS NOT NULL THEN
        SELECT * INTO notice FROM cil_demand_notices WHERE id = NEW.demand_notice_id;
        IF notice.cil_development_id IS DISTINCT FROM NEW.cil_development_id OR notice.charging_authority <> NEW.charging_authority THEN
            RAISE EXCEPTION 'demand notice % is for another development or charging authority', NEW.demand_notice_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_entry_demand_notice';
        END IF;
    END IF;
    IF NEW.kind = 'parish-payment' AND NOT (SELECT receives_cil FROM cil_parishes WHERE code = NEW.parish_code) THEN
        RAISE EXCEPTION 'parish % does not receive the levy: its portion is kept by the council (regulation 59F)', NEW.parish_code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_parish_receives';
    END IF;
    -- The neighbourhood portion of a parish that receives the levy is the
    -- parish's: the council allocates of it only what it recovered from
    -- the parish (59E). The pot's row is locked first, so two allocations
    -- take turns.
    IF NEW.kind = 'allocation' AND NEW.pot = 'neighbourhood' AND (SELECT receives_cil FROM cil_parishes WHERE code = NEW.parish_code) THEN
        INSERT INTO cil_pot_totals (pot, parish_code) VALUES ('neighbourhood', NEW.parish_code) ON CONFLICT DO NOTHING;
        SELECT t.recovered - t.allocated INTO kept FROM cil_pot_totals t
        WHERE t.pot = 'neighbourhood' AND t.parish_code = NEW.parish_code FOR NO KEY UPDATE;
        IF kept < NEW.amount THEN
            RAISE EXCEPTION 'parish % receives the levy: the council may allocate only what it recovered from the parish (%)', NEW.parish_code, kept
                USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_parish_money_is_the_parishs';
        END IF;
    END IF;
    IF NEW.kind IN ('admin', 'allocation', 'deallocation', 'spend', 'parish-payment', 'parish-recovery') AND NEW.charging_authority <> 'council' THEN
        RAISE EXCEPTION 'Mayoral CIL is passed to the Mayor, not applied or passed on by the council'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_entry_council_only';
    END IF;
    IF NEW.pot = 'strategic' AND NEW.parish_code IS NOT NULL THEN
        RAISE EXCEPTION 'the strategic pot is not a parish''s'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_entry_strategic_parish';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER cil_ledger_entries_check
    BEFORE INSERT ON cil_ledger_entries
    FOR EACH ROW EXECUTE FUNCTION cil_check_entry();

-- Rules over several rows, checked at commit ------------------------------------------

-- A receipt's portions add up to it: Mayoral CIL all to the Mayor; the
-- council's into admin, the neighbourhood portion of the development's
-- parish and the strategic remainder.
--
-- The percentages are checked per receipt only for a receipt an officer
-- records (import_ref IS NULL): admin at most 5 per cent of it, the
-- neighbourhood portion at most 25 per cent. The law sets neither limit on
-- one payment. 59A(3) and (5) say the charging authority "must pass 25 per
-- cent [15 per cent] of the relevant CIL receipts to the parish council for
-- that area", a proportion of the authority's receipts
-- (legislation.gov.uk, uksi/2010/948/regulation/59A/2022-12-01); regulation
-- 61(2)'s cap on administrative expenses is "5 per cent of CIL collected"
-- by the authority over a period of years (its words could not be checked
-- here; research notes 1.10-1.11). Splitting each receipt within the
-- limits is stricter than the law, which is right for the officer's form.
-- But a receipt imported from a council's published data-standard files
-- (import_ref set, internal/imports/cil_write.go) is history as the
-- council recorded it: the files record each purpose's share of a payment
-- as a transaction of its own, and where a file gives only one purpose's
-- row (a neighbourhood-only or administration-only receipt, Cheltenham's
-- and Islington's files) that receipt is 100 per cent one portion, lawful
-- over the authority's receipts though not within one. Refusing it would
-- refuse the council's true record, so an imported receipt is checked for
-- its portions summing to it, its authority and its parish, as every
-- receipt is, and not for the percentages.
CREATE OR REPLACE FUNCTION cil_check_receipt_portions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rid bigint;
    r cil_ledger_entries%ROWTYPE;
    total numeric;
    admin numeric;
    neighbourhood numeric;
    wrong_parish boolean;
    wrong_portion boolean;
BEGIN
    IF TG_TABLE_NAME = 'cil_ledger_entries' THEN
        rid := NEW.id;
    ELSE
        rid := NEW.receipt_id;
    END IF;
    SELECT * INTO r FROM cil_ledger_entries WHERE id = rid;
    IF r.kind <> 'receipt' THEN
        RAISE EXCEPTION 'portions belong to receipts; entry % is a %', rid, r.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_of_receipt';
    END IF;
    SELECT coalesce(sum(p.amount), 0),
           coalesce(sum(p.amount) FILTER (WHERE p.portion = 'admin'), 0),
           coalesce(sum(p.amount) FILTER (WHERE p.portion = 'neighbourhood'), 0),
           coalesce(bool_or(p.portion = 'neighbourhood' AND p.parish_code IS DISTINCT FROM d.parish_code), false),
           coalesce(bool_or((p.portion = 'mayor') <> (r.charging_authority = 'mayor')), false)
    INTO total, admin, neighbourhood, wrong_parish, wrong_portion
    FROM cil_receipt_portions p
    JOIN cil_developments d ON d.id = r.cil_development_id
    WHERE p.receipt_id = rid;
    IF total <> r.amount THEN
        RAISE EXCEPTION 'receipt % is split into portions totalling %, not its amount %', rid, total, r.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_sum_to_receipt';
    END IF;
    IF wrong_portion THEN
        RAISE EXCEPTION 'receipt %: Mayoral CIL is all the Mayor''s portion, and the council''s levy has none', rid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_authority';
    END IF;
    IF r.import_ref IS NULL AND admin > round(r.amount * 0.05, 2) THEN
        RAISE EXCEPTION 'receipt %: the administrative portion % is more than 5 per cent of %', rid, admin, r.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_admin_cap';
    END IF;
    IF r.import_ref IS NULL AND neighbourhood > round(r.amount * 0.25, 2) THEN
        RAISE EXCEPTION 'receipt %: the neighbourhood portion % is more than 25 per cent of %', rid, neighbourhood, r.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_neighbourhood_cap';
    END IF;
    IF wrong_parish THEN
        RAISE EXCEPTION 'receipt %: the neighbourhood portion is not for the development''s parish', rid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_portions_parish';
    END IF;
    RETURN NULL;
END;
$$;

-- What a receipt pays of its demand notice's instalments: no more than
-- the receipt, only that notice's instalments, and no instalment paid
-- beyond its amount by the receipts that stand.
CREATE OR REPLACE FUNCTION cil_check_receipt_instalments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r cil_ledger_entries%ROWTYPE;
    paid numeric;
    bad record;
BEGIN
    SELECT * INTO r FROM cil_ledger_entries WHERE id = NEW.receipt_id;
    -- Two receipts paying one instalment take turns: the second, once the
    -- first has committed, counts its rows (each query below reads what
    -- is committed when it starts).
    PERFORM 1 FROM cil_developments WHERE id = r.cil_development_id FOR NO KEY UPDATE;
    IF r.kind <> 'receipt' OR r.demand_notice_id IS DISTINCT FROM (SELECT demand_notice_id FROM cil_instalments WHERE id = NEW.instalment_id) THEN
        RAISE EXCEPTION 'receipt % does not pay demand notice instalment %', NEW.receipt_id, NEW.instalment_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_receipt_instalment_notice';
    END IF;
    SELECT coalesce(sum(amount), 0) INTO paid FROM cil_receipt_instalments WHERE receipt_id = NEW.receipt_id;
    IF paid > r.amount THEN
        RAISE EXCEPTION 'receipt % pays % of instalments, more than its amount %', NEW.receipt_id, paid, r.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_receipt_instalments_within_receipt';
    END IF;
    SELECT i.id, i.amount, sum(ri.amount) AS paid INTO bad
    FROM cil_instalments i
    JOIN cil_receipt_instalments ri ON ri.instalment_id = i.id
    JOIN cil_ledger_effective e ON e.id = ri.receipt_id
    WHERE i.id = NEW.instalment_id
    GROUP BY i.id, i.amount
    HAVING sum(ri.amount) > i.amount;
    IF FOUND THEN
        RAISE EXCEPTION 'instalment % of % would be paid %', bad.id, bad.amount, bad.paid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_instalment_not_overpaid';
    END IF;
    RETURN NULL;
END;
$$;

-- What is repaid to a development's payers (regulation 75) is no more
-- than was received from them, for each charging authority.
CREATE OR REPLACE FUNCTION cil_check_development_repaid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    dev bigint := NEW.cil_development_id;
    bad record;
BEGIN
    IF NEW.kind = 'reversal' THEN
        SELECT cil_development_id INTO dev FROM cil_ledger_entries WHERE id = NEW.reverses_id;
    END IF;
    IF dev IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM cil_developments WHERE id = dev FOR NO KEY UPDATE;
    SELECT charging_authority, sum(amount) FILTER (WHERE kind = 'receipt') AS received,
           sum(amount) FILTER (WHERE kind = 'repayment') AS repaid INTO bad
    FROM cil_ledger_effective
    WHERE cil_development_id = dev AND kind IN ('receipt', 'repayment')
    GROUP BY charging_authority
    HAVING coalesce(sum(amount) FILTER (WHERE kind = 'repayment'), 0) > coalesce(sum(amount) FILTER (WHERE kind = 'receipt'), 0)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'more would be repaid (%) than was received (%) for this development', bad.repaid, coalesce(bad.received, 0)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cil_repaid_within_received';
    END IF;
    RETURN NULL;
END;
$$;

-- CREATE OR REPLACE does not reach constraint triggers: each is dropped
-- and made again, inside the transaction that applies these files.
DROP TRIGGER IF EXISTS cil_ledger_entries_portions_rule ON cil_ledger_entries;
CREATE CONSTRAINT TRIGGER cil_ledger_entries_portions_rule
    AFTER INSERT ON cil_ledger_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.kind = 'receipt')
    EXECUTE FUNCTION cil_check_receipt_portions();
DROP TRIGGER IF EXISTS cil_receipt_portions_rule ON cil_receipt_portions;
CREATE CONSTRAINT TRIGGER cil_receipt_portions_rule
    AFTER INSERT ON cil_receipt_portions DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_receipt_portions();
DROP TRIGGER IF EXISTS cil_receipt_instalments_rule ON cil_receipt_instalments;
CREATE CONSTRAINT TRIGGER cil_receipt_instalments_rule
    AFTER INSERT ON cil_receipt_instalments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cil_check_receipt_instalments();
DROP TRIGGER IF EXISTS cil_ledger_entries_repaid_rule ON cil_ledger_entries;
CREATE CONSTRAINT TRIGGER cil_ledger_entries_repaid_rule
    AFTER INSERT ON cil_ledger_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.kind IN ('repayment', 'reversal'))
    EXECUTE FUNCTION cil_check_development_repaid();

-- What pages read ---------------------------------------------------------------------

-- Regulation 59D, the payment dates (its words could not be checked
-- against legislation.gov.uk here; from the council guidance that
-- restates them, e.g. West Norfolk's): receipts "from 1 April to 30
-- September ... by 28 October of that financial year" and "from 1 October
-- to 31 March ... by 28 April of the following financial year". One row
-- per parish that receives the levy and half-year with neighbourhood
-- portions: what it is due, and what of it is still to pay, with the
-- parish's payments set against the oldest half-year first.
-- The half-years' dues are kept per parish (cil_parish_half_dues,
-- 86_cil_parish_dues.sql, made by migration 00246).
CREATE OR REPLACE VIEW cil_parish_dues AS
WITH dues AS (
    SELECT h.parish_code, h.period_start, h.due
    FROM cil_parish_half_dues h
    JOIN cil_parishes pa ON pa.code = h.parish_code AND pa.receives_cil
    WHERE h.portions > 0
), running AS (
    SELECT d.*, sum(d.due) OVER (PARTITION BY d.parish_code ORDER BY d.period_start) AS cum_end
    FROM dues d
)
SELECT r.parish_code, r.period_start,
       (r.period_start + interval '6 months' - interval '1 day')::date AS period_end,
       CASE WHEN extract(month FROM r.period_start) = 4 THEN make_date(extract(year FROM r.period_start)::int, 10, 28)
            ELSE make_date(extract(year FROM r.period_start)::int + 1, 4, 28) END AS due_on,
       r.due,
       greatest(0, least(r.due, r.cum_end - coalesce(t.passed, 0))) AS outstanding
FROM running r
LEFT JOIN cil_pot_totals t ON t.pot = 'neighbourhood' AND t.parish_code = r.parish_code;

-- Drift and rebuild -------------------------------------------------------------------

CREATE OR REPLACE VIEW cil_totals_drift AS
SELECT 'cil_pot_totals' AS derived, coalesce(k.pot, c.pot) || '/' || coalesce(k.parish_code, c.parish_code) AS id
FROM cil_pot_totals k FULL JOIN cil_pot_totals_computed c ON c.pot = k.pot AND c.parish_code = k.parish_code
WHERE (coalesce(k.received, 0), coalesce(k.passed, 0), coalesce(k.recovered, 0), coalesce(k.applied, 0),
       coalesce(k.repaid, 0), coalesce(k.allocated, 0), coalesce(k.spent, 0))
      IS DISTINCT FROM (coalesce(c.received, 0), coalesce(c.passed, 0), coalesce(c.recovered, 0), coalesce(c.applied, 0),
       coalesce(c.repaid, 0), coalesce(c.allocated, 0), coalesce(c.spent, 0))
UNION ALL
SELECT 'cil_project_totals', coalesce(k.project_id, c.project_id)::text || '/' || coalesce(k.pot, c.pot) || '/' || coalesce(k.parish_code, c.parish_code)
FROM cil_project_totals k FULL JOIN cil_project_totals_computed c
     ON c.project_id = k.project_id AND c.pot = k.pot AND c.parish_code = k.parish_code
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0));

-- Rebuilds the levy's kept tables from scratch (refresh_all_derived_totals
-- calls it; a bulk load that bypassed the triggers does too).
CREATE OR REPLACE FUNCTION refresh_cil_ledger_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cil_pot_totals;
    INSERT INTO cil_pot_totals SELECT * FROM cil_pot_totals_computed;
    DELETE FROM cil_project_totals;
    INSERT INTO cil_project_totals SELECT * FROM cil_project_totals_computed;
END;
$$;
