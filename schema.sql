-- The schema of a freshly migrated database (pg_dump --schema-only, normalised).
-- Generated: do not edit. Regenerate with go run ./cmd/s106 schema (or make schema).

-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- Name: unaccent; Type: EXTENSION; Schema: -; Owner: -

CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- Name: agreement_withheld(bigint); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.agreement_withheld(agreement bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    WITH RECURSIVE chain (id, varies, reason, depth) AS (
        SELECT a.id, a.varies_agreement_id, a.publication_withheld_reason, 0
        FROM agreements a WHERE a.id = agreement
        UNION ALL
        SELECT a.id, a.varies_agreement_id, a.publication_withheld_reason, c.depth + 1
        FROM agreements a JOIN chain c ON a.id = c.varies
        WHERE c.depth < 50
    )
    SELECT coalesce(bool_or(btrim(reason) <> ''), false) FROM chain
$$;

-- Name: agreements_deadline_key_changed(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.agreements_deadline_key_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY(SELECT id FROM obligations WHERE agreement_id = NEW.id));
    RETURN NULL;
END;
$$;

-- Name: allocation_decided_on(date, text, date); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.allocation_decided_on(entry_date date, decision_evidence text, project_decision date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN decision_evidence <> '' THEN entry_date
                WHEN project_decision IS NOT NULL THEN greatest(entry_date, project_decision)
           END
$$;

-- Name: bump_data_version(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.bump_data_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('s106.data_version_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    UPDATE data_version SET version = version + 1, changed_at = clock_timestamp();
    PERFORM set_config('s106.data_version_bumped', 'yes', true);
    PERFORM pg_notify('s106_data_version', '');
    RETURN NULL;
END;
$$;

-- Name: check_allocation_purpose(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_allocation_purpose() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.kind = 'allocation' AND btrim(NEW.override_reason) = '' AND NOT purposes_match(
           (SELECT purpose_code FROM obligations WHERE id = NEW.obligation_id),
           (SELECT purpose_code FROM projects WHERE id = NEW.project_id)) THEN
        RAISE EXCEPTION 'money of one purpose allocated to a project of another needs a reason'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_allocation_purpose';
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_home_event(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_home_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    target home_events%ROWTYPE;
BEGIN
    IF NEW.kind = 'completed' AND EXISTS (SELECT 1 FROM homes WHERE id = NEW.home_id AND uprn IS NULL) THEN
        RAISE EXCEPTION 'a home needs its UPRN before it can be marked completed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_completed_needs_uprn';
    END IF;
    IF NEW.reverses_id IS NOT NULL THEN
        SELECT * INTO target FROM home_events WHERE id = NEW.reverses_id;
        IF target.home_id <> NEW.home_id OR target.kind = 'reversal' THEN
            RAISE EXCEPTION 'a reversal must name an event of the same home that is not a reversal'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'home_event_reversal';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_home_obligation(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_home_obligation() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.obligation_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM obligations o JOIN agreements a ON a.id = o.agreement_id
        WHERE o.id = NEW.obligation_id AND o.kind = 'affordable-housing' AND a.development_id = NEW.development_id
    ) THEN
        RAISE EXCEPTION 'a home can only deliver an affordable-housing obligation of its own development'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_obligation_of_development';
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_home_uprn_kept(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_home_uprn_kept() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.uprn IS NULL AND OLD.uprn IS NOT NULL AND EXISTS (
        SELECT 1 FROM home_events e WHERE e.home_id = NEW.id AND e.kind = 'completed'
          AND NOT EXISTS (SELECT 1 FROM home_events r WHERE r.reverses_id = e.id)
    ) THEN
        RAISE EXCEPTION 'a completed home must keep its UPRN'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_completed_needs_uprn';
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_ledger_balances(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_ledger_balances() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    bad record;
BEGIN
    PERFORM 1 FROM obligations WHERE id = NEW.obligation_id FOR NO KEY UPDATE;

    SELECT * INTO bad FROM (
        SELECT DISTINCT entry_date,
               sum(CASE WHEN kind = 'receipt' THEN amount ELSE 0 END) OVER w AS received,
               sum(CASE WHEN kind = 'return' THEN amount ELSE 0 END) OVER w AS returned,
               sum(CASE WHEN kind = 'allocation' THEN amount WHEN kind = 'deallocation' THEN -amount ELSE 0 END) OVER w AS allocated,
               sum(CASE WHEN kind = 'spend' THEN amount ELSE 0 END) OVER w AS spent
        FROM ledger_effective
        WHERE obligation_id = NEW.obligation_id
        WINDOW w AS (ORDER BY entry_date RANGE UNBOUNDED PRECEDING)
    ) t
    WHERE returned > received OR allocated > received - returned OR spent > allocated OR allocated < 0
    ORDER BY entry_date
    LIMIT 1;
    IF FOUND THEN
        IF bad.returned > bad.received THEN
            RAISE EXCEPTION 'on % more would be returned (%) than was received (%)', bad.entry_date, bad.returned, bad.received
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_returned_within_received';
        ELSIF bad.allocated > bad.received - bad.returned OR bad.allocated < 0 THEN
            RAISE EXCEPTION 'on % more would be allocated (%) than was received and not returned (%)', bad.entry_date, bad.allocated, bad.received - bad.returned
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_allocated_within_received';
        ELSE
            RAISE EXCEPTION 'on % more would be spent (%) than was allocated (%)', bad.entry_date, bad.spent, bad.allocated
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_spent_within_allocated';
        END IF;
    END IF;

    SELECT * INTO bad FROM (
        SELECT DISTINCT project_id, entry_date,
               sum(CASE WHEN kind = 'allocation' THEN amount WHEN kind = 'deallocation' THEN -amount ELSE 0 END) OVER w AS allocated,
               sum(CASE WHEN kind = 'spend' THEN amount ELSE 0 END) OVER w AS spent
        FROM ledger_effective
        WHERE obligation_id = NEW.obligation_id AND project_id IS NOT NULL
        WINDOW w AS (PARTITION BY project_id ORDER BY entry_date RANGE UNBOUNDED PRECEDING)
    ) t
    WHERE spent > allocated OR allocated < 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'on % project % would have spent (%) more than was allocated to it (%) from this obligation', bad.entry_date, bad.project_id, bad.spent, bad.allocated
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_project_spent_within_allocated';
    END IF;
    RETURN NULL;
END;
$$;

-- Name: check_ledger_reversal(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_ledger_reversal() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    target ledger_entries%ROWTYPE;
BEGIN
    IF NEW.reverses_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO target FROM ledger_entries WHERE id = NEW.reverses_id;
    IF target.obligation_id <> NEW.obligation_id THEN
        RAISE EXCEPTION 'a reversal must name an entry of the same obligation'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reversal_same_obligation';
    END IF;
    IF target.kind = 'reversal' THEN
        RAISE EXCEPTION 'a reversal cannot be reversed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reversal_of_reversal';
    END IF;
    IF target.amount <> NEW.amount THEN
        RAISE EXCEPTION 'a reversal must carry the amount of the entry it reverses'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reversal_amount';
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_obligation_reversal(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_obligation_reversal() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    target obligation_events%ROWTYPE;
BEGIN
    IF NEW.reverses_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO target FROM obligation_events WHERE id = NEW.reverses_id;
    IF target.obligation_id <> NEW.obligation_id THEN
        RAISE EXCEPTION 'a reversal must name an event of the same obligation' USING ERRCODE = 'check_violation';
    END IF;
    IF target.kind = 'reversal' THEN
        RAISE EXCEPTION 'a reversal cannot be reversed; record the event again' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

-- Name: check_receipt_split(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_receipt_split() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    rid bigint;
    want numeric;
    got numeric;
BEGIN
    IF TG_TABLE_NAME = 'receipts' THEN
        rid := NEW.id;
    ELSE
        rid := NEW.receipt_id;
    END IF;
    IF rid IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT total INTO want FROM receipts WHERE id = rid;
    SELECT coalesce(sum(amount), 0) INTO got FROM ledger_entries WHERE receipt_id = rid AND kind = 'receipt';
    got := got + coalesce((SELECT sum(CASE kind WHEN 'held' THEN amount WHEN 'assignment' THEN -amount ELSE 0 END)
                           FROM suspense_entries WHERE receipt_id = rid), 0);
    IF got <> want THEN
        RAISE EXCEPTION 'receipt % is split into shares and suspense totalling %, not its total %', rid, got, want
            USING ERRCODE = 'check_violation', CONSTRAINT = 'receipt_split_sums_to_total';
    END IF;
    RETURN NULL;
END;
$$;

-- Name: check_suspense_balance(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.check_suspense_balance() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    bad record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('suspense'), hashtext(NEW.receipt_id::text));
    SELECT * INTO bad FROM (
        SELECT DISTINCT entry_date,
               sum(CASE kind WHEN 'held' THEN amount ELSE -amount END) OVER w AS balance
        FROM suspense_entries
        WHERE receipt_id = NEW.receipt_id
        WINDOW w AS (ORDER BY entry_date RANGE UNBOUNDED PRECEDING)
    ) t
    WHERE balance < 0
    ORDER BY entry_date
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'on % more would be refunded or assigned than payment % holds in suspense', bad.entry_date, NEW.receipt_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'suspense_never_below_zero';
    END IF;
    RETURN NULL;
END;
$$;

-- Name: cil_check_demand_instalments(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_demand_instalments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_development_repaid(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_development_repaid() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_entry(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_entry() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_pot_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_pot_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_project_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_project_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_receipt_instalments(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_receipt_instalments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_check_receipt_portions(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_check_receipt_portions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_demand_list_keys_recompute(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_demand_list_keys_recompute(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE cil_demand_list_keys k SET paid = x.paid, next_due = x.next_due, next_due_amount = x.next_amount
    FROM (SELECT p.demand_notice_id, sum(p.paid) AS paid, min(i.due_on) FILTER (WHERE p.paid < i.amount) AS next_due,
                 (array_agg(i.amount - p.paid ORDER BY i.due_on, i.seq) FILTER (WHERE p.paid < i.amount))[1] AS next_amount
          FROM cil_instalment_paid p JOIN cil_instalments i ON i.id = p.instalment_id
          WHERE p.demand_notice_id = ANY (ids) GROUP BY 1) x
    WHERE k.demand_notice_id = x.demand_notice_id
      AND (k.paid, k.next_due, k.next_due_amount) IS DISTINCT FROM (x.paid, x.next_due, x.next_amount);
END;
$$;

-- Name: cil_half_year_start(date); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_half_year_start(d date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN extract(month FROM d) BETWEEN 4 AND 9 THEN make_date(extract(year FROM d)::int, 4, 1)
                WHEN extract(month FROM d) >= 10 THEN make_date(extract(year FROM d)::int, 10, 1)
                ELSE make_date(extract(year FROM d)::int - 1, 10, 1) END
$$;

-- Name: cil_in_use(date, date, date); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_in_use(use_from date, use_until date, permission date) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT use_from IS NOT NULL AND use_until IS NOT NULL AND permission IS NOT NULL
       AND least(use_until, permission)
           >= (greatest(use_from, (permission - interval '3 years')::date + 1) + interval '6 months')::date - 1
$$;

-- Name: cil_instalments_move_demand_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_instalments_move_demand_keys() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT demand_notice_id FROM new_rows ORDER BY 1);
    INSERT INTO cil_demand_list_keys (demand_notice_id, paid) SELECT unnest(ids), 0 ORDER BY 1 ON CONFLICT DO NOTHING;
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    INSERT INTO cil_instalment_paid (instalment_id, demand_notice_id, paid) SELECT id, demand_notice_id, 0 FROM new_rows;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- Name: cil_ledger_entries_move_demand_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_ledger_entries_move_demand_keys() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT i.demand_notice_id
                 FROM new_rows r
                 JOIN cil_receipt_instalments ri ON ri.receipt_id = r.reverses_id
                 JOIN cil_instalments i ON i.id = ri.instalment_id
                 WHERE r.kind = 'reversal' ORDER BY 1);
    IF cardinality(ids) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    UPDATE cil_instalment_paid p SET paid = p.paid - x.amount
    FROM (SELECT ri.instalment_id, sum(ri.amount) AS amount
          FROM new_rows r
          JOIN cil_ledger_entries e ON e.id = r.reverses_id AND e.kind <> 'reversal'
          JOIN cil_receipt_instalments ri ON ri.receipt_id = e.id
          WHERE r.kind = 'reversal' GROUP BY 1) x
    WHERE x.instalment_id = p.instalment_id;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- Name: cil_ledger_entries_move_half_dues(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_ledger_entries_move_half_dues() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO cil_parish_half_dues AS k (parish_code, period_start, portions, due)
    SELECT p.parish_code, cil_half_year_start(e.entry_date), -count(*), -sum(p.amount)
    FROM new_rows r
    JOIN cil_ledger_entries e ON e.id = r.reverses_id AND e.kind <> 'reversal'
    JOIN cil_receipt_portions p ON p.receipt_id = e.id AND p.portion = 'neighbourhood'
    WHERE r.kind = 'reversal'
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (parish_code, period_start) DO UPDATE SET portions = k.portions + excluded.portions, due = k.due + excluded.due;
    RETURN NULL;
END;
$$;

-- Name: cil_ledger_entries_move_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_ledger_entries_move_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_move_pot_totals(bigint[], integer); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_move_pot_totals(ids bigint[], sign integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_move_project_totals(bigint[], integer); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_move_project_totals(ids bigint[], sign integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_receipt_instalments_move_demand_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_receipt_instalments_move_demand_keys() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT i.demand_notice_id FROM new_rows n JOIN cil_instalments i ON i.id = n.instalment_id ORDER BY 1);
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    UPDATE cil_instalment_paid p SET paid = p.paid + x.amount
    FROM (SELECT n.instalment_id, sum(n.amount) AS amount FROM new_rows n JOIN cil_ledger_effective e ON e.id = n.receipt_id GROUP BY 1) x
    WHERE x.instalment_id = p.instalment_id;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- Name: cil_receipt_portions_move_half_dues(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_receipt_portions_move_half_dues() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO cil_parish_half_dues AS k (parish_code, period_start, portions, due)
    SELECT n.parish_code, cil_half_year_start(e.entry_date), count(*), sum(n.amount)
    FROM new_rows n JOIN cil_ledger_effective e ON e.id = n.receipt_id
    WHERE n.portion = 'neighbourhood'
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (parish_code, period_start) DO UPDATE SET portions = k.portions + excluded.portions, due = k.due + excluded.due;
    RETURN NULL;
END;
$$;

-- Name: cil_receipt_portions_move_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_receipt_portions_move_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

-- Name: cil_refresh_development_list_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.cil_refresh_development_list_keys() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_cil_development_list_keys(ARRAY(SELECT DISTINCT cil_development_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_cil_development_list_keys(ARRAY(SELECT DISTINCT cil_development_id FROM old_rows));
    ELSE
        PERFORM refresh_cil_development_list_keys(ARRAY(
            SELECT o.cil_development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.cil_development_id, o.kind, o.gia) IS DISTINCT FROM (n.cil_development_id, n.kind, n.gia)
            UNION
            SELECT n.cil_development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.cil_development_id, o.kind, o.gia) IS DISTINCT FROM (n.cil_development_id, n.kind, n.gia)));
    END IF;
    RETURN NULL;
END;
$$;

-- Name: delivery_trigger_breach(integer, integer, integer, integer); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.delivery_trigger_breach(occupation_limit integer, market_homes integer, market_occupied integer, not_transferred integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT market_homes > 0 AND not_transferred > 0 AND market_occupied * 100 > occupation_limit * market_homes
$$;

-- Name: delivery_trigger_not_transferred(integer, integer, integer); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.delivery_trigger_not_transferred(agreed integer, recorded integer, transferred integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT greatest(agreed - transferred, recorded - transferred, 0)
$$;

-- Name: developments_rename_homes(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.developments_rename_homes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE homes SET development_sort = lower(NEW.name)
    WHERE development_id = NEW.id AND development_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

-- Name: drift_report(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.drift_report() RETURNS TABLE(drift_view text, drift_rows bigint)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    v text;
BEGIN
    FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'v' AND c.relname LIKE '%\_drift' ORDER BY c.relname
    LOOP
        drift_view := v;
        EXECUTE format('SELECT count(*) FROM %I', v) INTO drift_rows;
        IF drift_rows > 0 THEN
            RETURN NEXT;
        END IF;
    END LOOP;
END;
$$;

-- Name: home_events_refresh_dates(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.home_events_refresh_dates() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_home_event_dates(ARRAY(SELECT DISTINCT home_id FROM new_rows));
    RETURN NULL;
END;
$$;

-- Name: home_events_refresh_development_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.home_events_refresh_development_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_development_home_totals(ARRAY(
        SELECT DISTINCT h.development_id FROM new_rows n JOIN homes h ON h.id = n.home_id));
    RETURN NULL;
END;
$$;

-- Name: home_state_of(text, date, date, date, date); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.home_state_of(exit_route text, occupied_on date, transferred_on date, completed_on date, started_on date) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE
        WHEN exit_route IS NOT NULL THEN 'left-stock'
        WHEN occupied_on IS NOT NULL THEN 'occupied'
        WHEN transferred_on IS NOT NULL THEN 'transferred'
        WHEN completed_on IS NOT NULL THEN 'completed'
        WHEN started_on IS NOT NULL THEN 'started'
        ELSE 'secured'
    END
$$;

-- Name: home_state_rank(text); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.home_state_rank(state text) RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT array_position(ARRAY['secured','started','completed','transferred','occupied','left-stock'], state)
$$;

-- Name: homes_refresh_development_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.homes_refresh_development_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_development_home_totals(ARRAY(SELECT DISTINCT development_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_development_home_totals(ARRAY(SELECT DISTINCT development_id FROM old_rows));
    ELSE
        PERFORM refresh_development_home_totals(ARRAY(
            SELECT o.development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenure, o.archived_at IS NULL, o.development_id) IS DISTINCT FROM (n.tenure, n.archived_at IS NULL, n.development_id)
            UNION
            SELECT n.development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenure, o.archived_at IS NULL, o.development_id) IS DISTINCT FROM (n.tenure, n.archived_at IS NULL, n.development_id)));
    END IF;
    RETURN NULL;
END;
$$;

-- Name: homes_set_development_sort(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.homes_set_development_sort() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.development_sort := (SELECT lower(d.name) FROM developments d WHERE d.id = NEW.development_id);
    RETURN NEW;
END;
$$;

-- Name: homes_set_list_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.homes_set_list_keys() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    d home_event_dates;
BEGIN
    SELECT * INTO d FROM home_event_dates WHERE home_id = NEW.id;
    NEW.list_tenure := coalesce(d.changed_tenure, NEW.tenure);
    NEW.list_tenure_order := (SELECT tp.sort_order FROM tenure_products tp WHERE tp.code = NEW.list_tenure);
    NEW.list_provider_id := coalesce(d.transferred_to, NEW.registered_provider_id);
    NEW.list_state := home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on);
    NEW.list_provider_sort := (SELECT lower(p.name) FROM registered_providers p WHERE p.id = NEW.list_provider_id);
    RETURN NEW;
END;
$$;

-- Name: ledger_entries_move_ifs_year_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.ledger_entries_move_ifs_year_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('ifs_year_totals'), (p.project_id % 2147483647)::int)
    FROM (SELECT n.project_id FROM new_rows n WHERE n.kind IN ('allocation', 'deallocation')
          UNION
          SELECT e.project_id FROM new_rows n JOIN ledger_entries e ON e.id = n.reverses_id
          WHERE e.kind IN ('allocation', 'deallocation')
          ORDER BY 1) p;
    INSERT INTO ifs_year_totals AS t (obligation_id, project_id, fy, decided_fy, entries, received, spent, returned, interest,
                                      invoiced, transferred, allocated)
    SELECT m.obligation_id, m.project_id, m.fy, m.decided_fy, sum(m.sign)::int,
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'receipt'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'spend'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.i) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'invoice'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'spend' AND m.transfer), 0),
           coalesce(sum(m.sign * CASE m.kind WHEN 'allocation' THEN m.c WHEN 'deallocation' THEN -m.c END), 0)
    FROM (
        SELECT x.sign, x.obligation_id, coalesce(x.project_id, 0) AS project_id,
               extract(year FROM x.entry_date - interval '3 months')::int AS fy,
               CASE WHEN x.kind IN ('allocation', 'deallocation')
                    THEN coalesce(extract(year FROM allocation_decided_on(x.entry_date, x.decision_evidence, pr.decision_date) - interval '3 months')::int, 9999)
                    ELSE extract(year FROM x.entry_date - interval '3 months')::int END AS decided_fy,
               x.kind, (x.amount * 100)::bigint AS c, (x.interest * 100)::bigint AS i, x.transfer_to <> '' AS transfer
        FROM (
            SELECT 1 AS sign, n.obligation_id, n.project_id, n.entry_date, n.kind, n.amount, n.interest, n.decision_evidence, n.transfer_to
            FROM new_rows n
            WHERE n.kind <> 'reversal'
            UNION ALL
            SELECT -1, e.obligation_id, e.project_id, e.entry_date, e.kind, e.amount, e.interest, e.decision_evidence, e.transfer_to
            FROM new_rows n
            JOIN ledger_entries e ON e.id = n.reverses_id
            WHERE e.kind <> 'reversal'
        ) x
        LEFT JOIN projects pr ON pr.id = x.project_id
    ) m
    GROUP BY m.obligation_id, m.project_id, m.fy, m.decided_fy
    ORDER BY m.obligation_id, m.project_id, m.fy, m.decided_fy
    ON CONFLICT (obligation_id, project_id, fy, decided_fy) DO UPDATE
        SET entries = t.entries + excluded.entries, received = t.received + excluded.received,
            spent = t.spent + excluded.spent, returned = t.returned + excluded.returned,
            interest = t.interest + excluded.interest, invoiced = t.invoiced + excluded.invoiced,
            transferred = t.transferred + excluded.transferred, allocated = t.allocated + excluded.allocated;
    RETURN NULL;
END;
$$;

-- Name: ledger_entries_move_pair_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.ledger_entries_move_pair_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO obligation_project_totals AS t (obligation_id, project_id, allocated, spent)
    SELECT m.obligation_id, m.project_id, sum(m.sign * m.allocated), sum(m.sign * m.spent)
    FROM (
        SELECT 1 AS sign, n.obligation_id, n.project_id,
               CASE n.kind WHEN 'allocation' THEN n.amount WHEN 'deallocation' THEN -n.amount ELSE 0 END AS allocated,
               CASE n.kind WHEN 'spend' THEN n.amount ELSE 0 END AS spent
        FROM new_rows n
        WHERE n.project_id IS NOT NULL
        UNION ALL
        SELECT -1, e.obligation_id, e.project_id,
               CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END,
               CASE e.kind WHEN 'spend' THEN e.amount ELSE 0 END
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.project_id IS NOT NULL
    ) m
    GROUP BY m.obligation_id, m.project_id
    ORDER BY m.obligation_id, m.project_id
    ON CONFLICT (obligation_id, project_id) DO UPDATE
        SET allocated = t.allocated + excluded.allocated, spent = t.spent + excluded.spent;
    RETURN NULL;
END;
$$;

-- Name: ledger_entries_move_project_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.ledger_entries_move_project_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO project_ledger_totals AS t (project_id, allocated, spent)
    SELECT m.project_id, sum(m.sign * m.allocated), sum(m.sign * m.spent)
    FROM (
        SELECT 1 AS sign, n.project_id,
               CASE n.kind WHEN 'allocation' THEN n.amount WHEN 'deallocation' THEN -n.amount ELSE 0 END AS allocated,
               CASE n.kind WHEN 'spend' THEN n.amount ELSE 0 END AS spent
        FROM new_rows n
        WHERE n.project_id IS NOT NULL
        UNION ALL
        SELECT -1, e.project_id,
               CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END,
               CASE e.kind WHEN 'spend' THEN e.amount ELSE 0 END
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.project_id IS NOT NULL
    ) m
    GROUP BY m.project_id
    ORDER BY m.project_id
    ON CONFLICT (project_id) DO UPDATE
        SET allocated = t.allocated + excluded.allocated, spent = t.spent + excluded.spent;
    RETURN NULL;
END;
$$;

-- Name: ledger_entries_move_year_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.ledger_entries_move_year_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO ledger_year_totals AS t (obligation_id, fy, entries, received, spent, returned, interest)
    SELECT m.obligation_id, m.fy, sum(m.sign)::int,
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'receipt'), 0),
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'spend'), 0),
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.interest) FILTER (WHERE m.kind = 'return'), 0)
    FROM (
        SELECT 1 AS sign, n.obligation_id, extract(year FROM n.entry_date - interval '3 months')::int AS fy,
               n.kind, n.amount, n.interest
        FROM new_rows n
        WHERE n.kind IN ('receipt', 'spend', 'return')
        UNION ALL
        SELECT -1, e.obligation_id, extract(year FROM e.entry_date - interval '3 months')::int, e.kind, e.amount, e.interest
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.kind IN ('receipt', 'spend', 'return')
    ) m
    GROUP BY m.obligation_id, m.fy
    ORDER BY m.obligation_id, m.fy
    ON CONFLICT (obligation_id, fy) DO UPDATE
        SET entries = t.entries + excluded.entries, received = t.received + excluded.received,
            spent = t.spent + excluded.spent, returned = t.returned + excluded.returned,
            interest = t.interest + excluded.interest;
    RETURN NULL;
END;
$$;

-- Name: ledger_entries_refresh_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.ledger_entries_refresh_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_obligation_ledger_totals(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

-- Name: obligation_events_refresh_dates(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.obligation_events_refresh_dates() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_obligation_event_dates(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

-- Name: obligations_added_states(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.obligations_added_states() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM new_rows n JOIN obligation_status s ON s.obligation_id = n.id;
    RETURN NULL;
END;
$$;

-- Name: obligations_deadline_keys_changed(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.obligations_deadline_keys_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

-- Name: projects_refresh_ifs_year_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.projects_refresh_ifs_year_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM refresh_ifs_year_totals(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

-- Name: providers_rename_homes(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.providers_rename_homes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE homes SET list_provider_sort = lower(NEW.name)
    WHERE list_provider_id = NEW.id AND list_provider_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

-- Name: purposes_match(text, text); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.purposes_match(a text, b text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT a = b OR (SELECT coalesce(pa.parent_code, pa.code) = coalesce(pb.parent_code, pb.code)
                     FROM contribution_purposes pa, contribution_purposes pb
                     WHERE pa.code = a AND pb.code = b)
$$;

-- Name: refresh_all_derived_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_all_derived_totals() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM obligation_ledger_totals;
    INSERT INTO obligation_ledger_totals SELECT * FROM obligation_ledger_totals_computed;
    DELETE FROM receipt_share_positions;
    INSERT INTO receipt_share_positions SELECT * FROM receipt_share_positions_computed;
    DELETE FROM obligation_event_dates;
    INSERT INTO obligation_event_dates SELECT * FROM obligation_event_dates_computed;
    DELETE FROM home_event_dates;
    INSERT INTO home_event_dates SELECT * FROM home_event_dates_computed;
    DELETE FROM obligation_states;
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT obligation_id, status, trigger_met_on FROM obligation_status;
    DELETE FROM project_ledger_totals;
    INSERT INTO project_ledger_totals SELECT * FROM project_ledger_totals_computed;
    DELETE FROM receipt_share_deadlines;
    INSERT INTO receipt_share_deadlines SELECT * FROM receipt_share_deadlines_computed;
    DELETE FROM obligation_project_totals;
    INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed;
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
    PERFORM refresh_cil_ledger_totals();
    PERFORM refresh_cil_development_list_keys(NULL);
    PERFORM refresh_cil_parish_half_dues();
    PERFORM refresh_cil_demand_list_keys();
    PERFORM refresh_year_totals();
    PERFORM refresh_all_ifs_year_totals();
END;
$$;

-- Name: refresh_all_ifs_year_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_all_ifs_year_totals() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM ifs_year_totals;
    -- In key order, the order the IFS reads them in (as migration 00221).
    INSERT INTO ifs_year_totals SELECT * FROM ifs_year_totals_computed ORDER BY 1, 2, 3, 4;
END;
$$;

-- Name: refresh_cil_demand_list_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_cil_demand_list_keys() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM cil_demand_list_keys;
    DELETE FROM cil_instalment_paid;
    INSERT INTO cil_instalment_paid SELECT instalment_id, demand_notice_id, paid FROM cil_instalment_paid_computed;
    INSERT INTO cil_demand_list_keys SELECT * FROM cil_demand_list_keys_computed;
END;
$$;

-- Name: refresh_cil_development_list_keys(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_cil_development_list_keys(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF ids IS NULL THEN
        UPDATE cil_developments d SET list_proposed_gia = c.list_proposed_gia,
            list_notice_amount = c.list_notice_amount, list_notice_issued = c.list_notice_issued
        FROM cil_development_list_keys_computed c
        WHERE c.id = d.id AND (d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued)
              IS DISTINCT FROM (c.list_proposed_gia, c.list_notice_amount, c.list_notice_issued);
        RETURN;
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM cil_developments WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE cil_developments d SET list_proposed_gia = c.list_proposed_gia,
        list_notice_amount = c.list_notice_amount, list_notice_issued = c.list_notice_issued
    FROM cil_development_list_keys_computed c
    WHERE c.id = d.id AND d.id = ANY (ids)
      AND (d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued)
          IS DISTINCT FROM (c.list_proposed_gia, c.list_notice_amount, c.list_notice_issued);
END;
$$;

-- Name: refresh_cil_ledger_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_cil_ledger_totals() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM cil_pot_totals;
    INSERT INTO cil_pot_totals SELECT * FROM cil_pot_totals_computed;
    DELETE FROM cil_project_totals;
    INSERT INTO cil_project_totals SELECT * FROM cil_project_totals_computed;
END;
$$;

-- Name: refresh_cil_parish_half_dues(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_cil_parish_half_dues() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM cil_parish_half_dues;
    INSERT INTO cil_parish_half_dues SELECT * FROM cil_parish_half_dues_computed;
END;
$$;

-- Name: refresh_development_home_totals(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_development_home_totals(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM developments WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM development_home_totals WHERE development_id = ANY (ids);
    INSERT INTO development_home_totals
    SELECT c.* FROM development_home_totals_computed c WHERE c.development_id = ANY (ids);
END;
$$;

-- Name: refresh_home_event_dates(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_home_event_dates(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM 1 FROM homes WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM home_event_dates WHERE home_id = ANY (ids);
    INSERT INTO home_event_dates
    SELECT c.* FROM home_event_dates_computed c WHERE c.home_id = ANY (ids);
    PERFORM refresh_home_list_keys(ids);
END;
$$;

-- Name: refresh_home_list_keys(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_home_list_keys(ids bigint[]) RETURNS void
    LANGUAGE sql
    AS $$
    UPDATE homes h
    SET list_tenure = st.current_tenure, list_tenure_order = tp.sort_order, list_state = st.state,
        list_provider_id = st.current_provider_id, list_provider_sort = lower(p.name)
    FROM home_state st
    JOIN tenure_products tp ON tp.code = st.current_tenure
    LEFT JOIN registered_providers p ON p.id = st.current_provider_id
    WHERE st.home_id = h.id AND h.id = ANY (ids)
      AND (h.list_tenure, h.list_tenure_order, h.list_state, h.list_provider_id, h.list_provider_sort)
          IS DISTINCT FROM (st.current_tenure, tp.sort_order, st.state, st.current_provider_id, lower(p.name));
$$;

-- Name: refresh_home_sort_keys(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_home_sort_keys() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE homes h SET development_sort = lower(d.name)
    FROM developments d
    WHERE d.id = h.development_id AND h.development_sort IS DISTINCT FROM lower(d.name);
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
END;
$$;

-- Name: refresh_ifs_year_totals(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_ifs_year_totals(project_ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ifs_year_totals'), (x.p % 2147483647)::int)
    FROM (SELECT DISTINCT p FROM unnest(project_ids) p ORDER BY p) x;
    DELETE FROM ifs_year_totals WHERE project_id = ANY (project_ids);
    INSERT INTO ifs_year_totals
    SELECT c.* FROM ifs_year_totals_computed c WHERE c.project_id = ANY (project_ids);
END;
$$;

-- Name: refresh_obligation_event_dates(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_obligation_event_dates(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_event_dates WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_event_dates
    SELECT c.* FROM obligation_event_dates_computed c WHERE c.obligation_id = ANY (ids);
    PERFORM refresh_obligation_states(ids);
END;
$$;

-- Name: refresh_obligation_ledger_totals(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_obligation_ledger_totals(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_ledger_totals WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_ledger_totals
    SELECT c.* FROM obligation_ledger_totals_computed c WHERE c.obligation_id = ANY (ids);
    DELETE FROM receipt_share_positions WHERE obligation_id = ANY (ids);
    INSERT INTO receipt_share_positions
    SELECT c.* FROM receipt_share_positions_computed c WHERE c.obligation_id = ANY (ids);
    PERFORM refresh_obligation_states(ids);
    PERFORM refresh_receipt_share_deadlines(ids);
END;
$$;

-- Name: refresh_obligation_states(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_obligation_states(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM obligation_states WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM obligation_status s WHERE s.obligation_id = ANY (ids);
END;
$$;

-- Name: refresh_receipt_share_deadlines(bigint[]); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_receipt_share_deadlines(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Taken already when called by the refreshes of the ledger's totals
    -- or by an update of the obligation; an agreement's new reference
    -- waits here for any ledger writer of its obligations.
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM receipt_share_deadlines WHERE obligation_id = ANY (ids);
    INSERT INTO receipt_share_deadlines
    SELECT c.* FROM receipt_share_deadlines_computed c WHERE c.obligation_id = ANY (ids);
END;
$$;

-- Name: refresh_year_totals(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refresh_year_totals() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM ledger_year_totals;
    INSERT INTO ledger_year_totals SELECT * FROM ledger_year_totals_computed;
    DELETE FROM development_home_totals;
    INSERT INTO development_home_totals SELECT * FROM development_home_totals_computed;
END;
$$;

-- Name: refuse_change(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

-- Name: search_fold(text); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

-- Name: spend_by_deadline(text, integer, date, date, date); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.spend_by_deadline(spend_from text, months integer, received_on date, start date, final_instalment date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN months IS NULL THEN NULL
                ELSE (CASE spend_from
                          WHEN 'payment' THEN received_on
                          WHEN 'final-instalment' THEN final_instalment
                          ELSE start
                      END + make_interval(months => months))::date
           END
$$;

-- Name: tenure_products_reorder_homes(); Type: FUNCTION; Schema: public; Owner: -

CREATE FUNCTION public.tenure_products_reorder_homes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE homes SET list_tenure_order = NEW.sort_order
    WHERE list_tenure = NEW.code AND list_tenure_order IS DISTINCT FROM NEW.sort_order;
    RETURN NULL;
END;
$$;

-- Name: affordable_mix_lines; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.affordable_mix_lines (
    obligation_id bigint NOT NULL,
    tenure text NOT NULL,
    bedrooms integer NOT NULL,
    homes integer NOT NULL,
    wheelchair_homes integer DEFAULT 0 NOT NULL,
    habitable_rooms integer,
    CONSTRAINT affordable_mix_lines_bedrooms_check CHECK (((bedrooms >= 0) AND (bedrooms <= 10))),
    CONSTRAINT affordable_mix_lines_check CHECK (((wheelchair_homes >= 0) AND (wheelchair_homes <= homes))),
    CONSTRAINT affordable_mix_lines_habitable_rooms_check CHECK ((habitable_rooms > 0)),
    CONSTRAINT affordable_mix_lines_homes_check CHECK ((homes > 0))
);

-- Name: affordable_mixes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.affordable_mixes (
    obligation_id bigint NOT NULL,
    affordable_homes integer,
    affordable_percent numeric(5,2),
    percent_basis text DEFAULT 'units'::text NOT NULL,
    registered_provider_id bigint,
    delivery_trigger text DEFAULT ''::text NOT NULL,
    market_occupation_limit integer,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT affordable_mixes_affordable_homes_check CHECK ((affordable_homes >= 0)),
    CONSTRAINT affordable_mixes_affordable_percent_check CHECK (((affordable_percent > (0)::numeric) AND (affordable_percent <= (100)::numeric))),
    CONSTRAINT affordable_mixes_market_occupation_limit_check CHECK (((market_occupation_limit >= 0) AND (market_occupation_limit <= 100))),
    CONSTRAINT affordable_mixes_percent_basis_check CHECK ((percent_basis = ANY (ARRAY['units'::text, 'habitable-rooms'::text])))
);

-- Name: agreement_applications; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.agreement_applications (
    agreement_id bigint NOT NULL,
    planning_application_id bigint NOT NULL
);

-- Name: agreement_parties; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.agreement_parties (
    agreement_id bigint NOT NULL,
    organisation_id bigint NOT NULL,
    party_role text NOT NULL,
    "position" integer NOT NULL,
    CONSTRAINT agreement_parties_party_role_check CHECK ((party_role = ANY (ARRAY['owner'::text, 'developer'::text, 'mortgagee'::text, 'other'::text])))
);

-- Name: agreements; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.agreements (
    id bigint NOT NULL,
    reference text NOT NULL,
    development_id bigint NOT NULL,
    agreement_type text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    date_signed date,
    deed_url text DEFAULT ''::text NOT NULL,
    responsible_officer_id bigint,
    varies_agreement_id bigint,
    variation_summary text DEFAULT ''::text NOT NULL,
    notes text DEFAULT ''::text NOT NULL,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    publication_withheld_reason text DEFAULT ''::text NOT NULL,
    CONSTRAINT agreements_agreement_type_check CHECK ((agreement_type = ANY (ARRAY['section-106'::text, 'unilateral-undertaking'::text, 'deed-of-variation'::text, 'section-278'::text]))),
    CONSTRAINT agreements_check CHECK (((agreement_type = 'deed-of-variation'::text) = (varies_agreement_id IS NOT NULL))),
    CONSTRAINT agreements_check1 CHECK ((varies_agreement_id IS DISTINCT FROM id)),
    CONSTRAINT agreements_check2 CHECK (((status = 'draft'::text) OR (date_signed IS NOT NULL))),
    CONSTRAINT agreements_deed_url_check CHECK (((deed_url = ''::text) OR (deed_url ~ '^https?://'::text))),
    CONSTRAINT agreements_reference_check CHECK ((btrim(reference) <> ''::text)),
    CONSTRAINT agreements_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'completed'::text, 'live'::text, 'discharged'::text, 'superseded'::text])))
);

-- Name: agreements_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.agreements ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.agreements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: alert_digests; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.alert_digests (
    user_id bigint NOT NULL,
    day date NOT NULL,
    alerts integer NOT NULL,
    sent_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT alert_digests_alerts_check CHECK ((alerts > 0))
);

-- Name: alert_recipients; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.alert_recipients (
    alert_id bigint NOT NULL,
    user_id bigint NOT NULL,
    reason text NOT NULL,
    emailed boolean DEFAULT false NOT NULL,
    digested_on date,
    acknowledged_at timestamp with time zone,
    ack_comment text DEFAULT ''::text NOT NULL,
    CONSTRAINT alert_recipients_check CHECK (((acknowledged_at IS NULL) = (btrim(ack_comment) = ''::text))),
    CONSTRAINT alert_recipients_reason_check CHECK ((reason = ANY (ARRAY['responsible'::text, 'team'::text, 'manager'::text])))
);

-- Name: alert_rules; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.alert_rules (
    code text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    unit text DEFAULT ''::text NOT NULL,
    thresholds integer[] DEFAULT '{}'::integer[] NOT NULL,
    defaults integer[] DEFAULT '{}'::integer[] NOT NULL,
    escalate_months integer,
    enabled boolean DEFAULT true NOT NULL,
    "position" integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT alert_rules_check CHECK (((unit = ''::text) = (cardinality(thresholds) = 0))),
    CONSTRAINT alert_rules_code_check CHECK ((code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT alert_rules_escalate_months_check CHECK (((escalate_months >= 0) AND (escalate_months <= 120))),
    CONSTRAINT alert_rules_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT alert_rules_thresholds_check CHECK (((0 <= ALL (thresholds)) AND (1200 >= ALL (thresholds)))),
    CONSTRAINT alert_rules_unit_check CHECK ((unit = ANY (ARRAY[''::text, 'months'::text, 'days'::text, 'years'::text])))
);

-- Name: alerts; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.alerts (
    id bigint NOT NULL,
    rule_code text NOT NULL,
    subject_type text NOT NULL,
    subject_id bigint NOT NULL,
    threshold text NOT NULL,
    subject_label text NOT NULL,
    link text NOT NULL,
    detail text DEFAULT ''::text NOT NULL,
    amount numeric,
    homes integer,
    deadline date,
    agreement_id bigint,
    obligation_id bigint,
    officer_id bigint,
    service_area text DEFAULT ''::text NOT NULL,
    contact_name text DEFAULT ''::text NOT NULL,
    contact_email text DEFAULT ''::text NOT NULL,
    team_role text NOT NULL,
    escalated boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT alerts_amount_check CHECK ((amount >= (0)::numeric)),
    CONSTRAINT alerts_homes_check CHECK ((homes >= 0)),
    CONSTRAINT alerts_link_check CHECK ((link ~~ '/%'::text)),
    CONSTRAINT alerts_subject_label_check CHECK ((btrim(subject_label) <> ''::text)),
    CONSTRAINT alerts_subject_type_check CHECK ((subject_type = ANY (ARRAY['receipt-share'::text, 'obligation'::text, 'invoice'::text, 'agreement'::text, 'ifs'::text, 'cil-instalment'::text, 'cil-development'::text, 'cil-relief'::text, 'cil-parish-half-year'::text, 'cil-parish-payment'::text]))),
    CONSTRAINT alerts_team_role_check CHECK ((team_role = ANY (ARRAY['officer'::text, 'housing'::text]))),
    CONSTRAINT alerts_threshold_check CHECK ((btrim(threshold) <> ''::text))
);

-- Name: alerts_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.alerts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.api_tokens (
    id bigint NOT NULL,
    token_hash bytea NOT NULL,
    name text NOT NULL,
    user_id bigint,
    system_name text,
    system_roles text[] DEFAULT '{}'::text[] NOT NULL,
    scope text NOT NULL,
    created_by bigint,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_by bigint,
    last_used_at timestamp with time zone,
    CONSTRAINT api_tokens_check CHECK (((user_id IS NULL) <> (system_name IS NULL))),
    CONSTRAINT api_tokens_check1 CHECK (((system_name IS NULL) OR (cardinality(system_roles) > 0))),
    CONSTRAINT api_tokens_check2 CHECK (((user_id IS NULL) OR (cardinality(system_roles) = 0))),
    CONSTRAINT api_tokens_check3 CHECK ((expires_at > created_at)),
    CONSTRAINT api_tokens_check4 CHECK (((revoked_at IS NULL) OR (revoked_at >= created_at))),
    CONSTRAINT api_tokens_name_check CHECK (((btrim(name) <> ''::text) AND (length(name) <= 200))),
    CONSTRAINT api_tokens_scope_check CHECK ((scope = ANY (ARRAY['read'::text, 'write'::text]))),
    CONSTRAINT api_tokens_system_name_check CHECK (((btrim(system_name) <> ''::text) AND (length(system_name) <= 200))),
    CONSTRAINT api_tokens_system_roles_check CHECK ((system_roles <@ ARRAY['officer'::text, 'housing'::text, 'manager'::text, 'viewer'::text])),
    CONSTRAINT api_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

-- Name: api_tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.api_tokens ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: areas; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.areas (
    kind text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    geometry jsonb NOT NULL,
    min_lat double precision NOT NULL,
    min_lon double precision NOT NULL,
    max_lat double precision NOT NULL,
    max_lon double precision NOT NULL,
    CONSTRAINT areas_check CHECK (((min_lat <= max_lat) AND (min_lon <= max_lon))),
    CONSTRAINT areas_code_check CHECK ((btrim(code) <> ''::text)),
    CONSTRAINT areas_kind_check CHECK ((kind = ANY (ARRAY['ward'::text, 'parish'::text]))),
    CONSTRAINT areas_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: audit_events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.audit_events (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    actor_id bigint,
    actor_label text NOT NULL,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    summary text DEFAULT ''::text NOT NULL,
    before jsonb,
    after jsonb,
    request_id text DEFAULT ''::text NOT NULL,
    remote_addr text DEFAULT ''::text NOT NULL,
    CONSTRAINT audit_events_action_check CHECK ((action <> ''::text)),
    CONSTRAINT audit_events_entity_type_check CHECK ((entity_type <> ''::text))
);

-- Name: audit_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.audit_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: calendar_feeds; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.calendar_feeds (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    uses bigint DEFAULT 0 NOT NULL,
    CONSTRAINT calendar_feeds_check CHECK (((revoked_at IS NULL) OR (revoked_at >= created_at))),
    CONSTRAINT calendar_feeds_token_hash_check CHECK ((length(token_hash) = 32)),
    CONSTRAINT calendar_feeds_uses_check CHECK ((uses >= 0))
);

-- Name: calendar_feeds_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.calendar_feeds ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.calendar_feeds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: capability_link_hits; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.capability_link_hits (
    link_id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    method text NOT NULL
);

-- Name: capability_links; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.capability_links (
    id bigint NOT NULL,
    token_hash bytea NOT NULL,
    purpose text NOT NULL,
    scope_type text NOT NULL,
    scope_id bigint NOT NULL,
    subject_id bigint,
    holder_name text NOT NULL,
    holder_email text NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_by bigint,
    last_used_at timestamp with time zone,
    CONSTRAINT capability_links_check CHECK ((expires_at > created_at)),
    CONSTRAINT capability_links_holder_email_check CHECK ((holder_email ~ '^[^@\s]+@[^@\s]+$'::text)),
    CONSTRAINT capability_links_holder_name_check CHECK ((btrim(holder_name) <> ''::text)),
    CONSTRAINT capability_links_purpose_check CHECK ((purpose ~ '^[a-z][a-z-]{2,40}$'::text)),
    CONSTRAINT capability_links_scope_id_check CHECK ((scope_id > 0)),
    CONSTRAINT capability_links_scope_type_check CHECK ((scope_type = ANY (ARRAY['development'::text, 'provider'::text]))),
    CONSTRAINT capability_links_token_hash_check CHECK ((length(token_hash) = 32))
);

-- Name: capability_links_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.capability_links ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.capability_links_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_base_rates; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_base_rates (
    effective_from date NOT NULL,
    rate numeric(6,4) NOT NULL,
    source text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cil_base_rates_rate_check CHECK (((rate >= (0)::numeric) AND (rate < (100)::numeric)))
);

-- Name: cil_charges; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_charges (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    regulation integer NOT NULL,
    imposed_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    reason text NOT NULL,
    quashed_on date,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    demand_notice_id bigint,
    calculation jsonb DEFAULT '{}'::jsonb NOT NULL,
    quash_reason text DEFAULT ''::text NOT NULL,
    CONSTRAINT cil_charges_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT cil_charges_quash_reason CHECK (((quashed_on IS NULL) = (btrim(quash_reason) = ''::text))),
    CONSTRAINT cil_charges_reason_check CHECK ((btrim(reason) <> ''::text)),
    CONSTRAINT cil_charges_regulation_check CHECK (((regulation >= 80) AND (regulation <= 87)))
);

-- Name: cil_charges_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_charges ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_charges_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_commencements; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_commencements (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    kind text NOT NULL,
    received_on date NOT NULL,
    commencement_date date NOT NULL,
    withdrawn_on date,
    note text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cil_commencements_check CHECK (((kind = 'notice'::text) OR (withdrawn_on IS NULL))),
    CONSTRAINT cil_commencements_kind_check CHECK ((kind = ANY (ARRAY['notice'::text, 'deemed'::text])))
);

-- Name: cil_commencements_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_commencements ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_commencements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_demand_contributions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_demand_contributions (
    id bigint NOT NULL,
    demand_notice_id bigint NOT NULL,
    instalment_id bigint,
    purpose text NOT NULL,
    amount numeric(14,2) NOT NULL,
    reference text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cil_demand_contributions_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT cil_demand_contributions_purpose_check CHECK ((purpose = ANY (ARRAY['community-infrastructure-levy'::text, 'mayoral-community-infrastructure-levy'::text, 'neighbourhood-community-infrastructure-levy'::text, 'cil-administration-costs'::text]))),
    CONSTRAINT cil_demand_contributions_reference_check CHECK ((btrim(reference) <> ''::text))
);

-- Name: cil_demand_contributions_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_demand_contributions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_demand_contributions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_demand_list_keys; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_demand_list_keys (
    demand_notice_id bigint NOT NULL,
    paid numeric(14,2) NOT NULL,
    next_due date,
    next_due_amount numeric(14,2)
);

-- Name: cil_instalments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_instalments (
    id bigint NOT NULL,
    demand_notice_id bigint NOT NULL,
    seq integer NOT NULL,
    kind text DEFAULT 'levy'::text NOT NULL,
    due_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    CONSTRAINT cil_instalments_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT cil_instalments_kind_check CHECK ((kind = ANY (ARRAY['levy'::text, 'surcharge'::text, 'interest'::text]))),
    CONSTRAINT cil_instalments_seq_check CHECK ((seq >= 1))
);

-- Name: cil_ledger_entries; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_ledger_entries (
    id bigint NOT NULL,
    kind text NOT NULL,
    entry_date date NOT NULL,
    amount numeric(14,2) NOT NULL,
    charging_authority text DEFAULT 'council'::text NOT NULL,
    cil_development_id bigint,
    demand_notice_id bigint,
    method text,
    parish_code text,
    pot text,
    project_id bigint,
    reverses_id bigint,
    payer text DEFAULT ''::text NOT NULL,
    reference text DEFAULT ''::text NOT NULL,
    evidence text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    import_ref text,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    transfer_to text DEFAULT ''::text NOT NULL,
    CONSTRAINT cil_ledger_entries_amount_check CHECK (((amount > (0)::numeric) AND (amount < (1000000000)::numeric))),
    CONSTRAINT cil_ledger_entries_charging_authority_check CHECK ((charging_authority = ANY (ARRAY['council'::text, 'mayor'::text]))),
    CONSTRAINT cil_ledger_entries_check CHECK (((kind = 'reversal'::text) = (reverses_id IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check1 CHECK (((kind <> 'reversal'::text) OR (btrim(note) <> ''::text))),
    CONSTRAINT cil_ledger_entries_check2 CHECK (((kind = 'receipt'::text) = (method IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check3 CHECK (((kind <> ALL (ARRAY['receipt'::text, 'repayment'::text])) OR (cil_development_id IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check4 CHECK (((kind = ANY (ARRAY['allocation'::text, 'deallocation'::text, 'spend'::text])) = (project_id IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check5 CHECK (((kind = ANY (ARRAY['allocation'::text, 'deallocation'::text, 'spend'::text])) = (pot IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check6 CHECK (((kind <> ALL (ARRAY['parish-payment'::text, 'parish-recovery'::text])) OR (parish_code IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check7 CHECK (((pot IS DISTINCT FROM 'neighbourhood'::text) OR (parish_code IS NOT NULL))),
    CONSTRAINT cil_ledger_entries_check8 CHECK (((kind <> 'mayor-payment'::text) OR (charging_authority = 'mayor'::text))),
    CONSTRAINT cil_ledger_entries_check9 CHECK (((transfer_to = ''::text) OR (kind = 'spend'::text))),
    CONSTRAINT cil_ledger_entries_kind_check CHECK ((kind = ANY (ARRAY['receipt'::text, 'repayment'::text, 'mayor-payment'::text, 'parish-payment'::text, 'parish-recovery'::text, 'admin'::text, 'allocation'::text, 'deallocation'::text, 'spend'::text, 'reversal'::text]))),
    CONSTRAINT cil_ledger_entries_method_check CHECK ((method = ANY (ARRAY['money'::text, 'land'::text, 'infrastructure'::text]))),
    CONSTRAINT cil_ledger_entries_pot_check CHECK ((pot = ANY (ARRAY['strategic'::text, 'neighbourhood'::text])))
);

-- Name: cil_ledger_effective; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_ledger_effective AS
 SELECT e.id,
    e.kind,
    e.entry_date,
    e.amount,
    e.charging_authority,
    e.cil_development_id,
    e.demand_notice_id,
    e.method,
    e.parish_code,
    e.pot,
    e.project_id,
    e.payer,
    e.reference,
    e.recorded_by,
    e.recorded_at
   FROM public.cil_ledger_entries e
  WHERE ((e.kind <> 'reversal'::text) AND (NOT (EXISTS ( SELECT 1
           FROM public.cil_ledger_entries r
          WHERE (r.reverses_id = e.id)))));

-- Name: cil_receipt_instalments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_receipt_instalments (
    receipt_id bigint NOT NULL,
    instalment_id bigint NOT NULL,
    amount numeric(14,2) NOT NULL,
    CONSTRAINT cil_receipt_instalments_amount_check CHECK ((amount > (0)::numeric))
);

-- Name: cil_instalment_paid_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_instalment_paid_computed AS
 SELECT i.id AS instalment_id,
    i.demand_notice_id,
    i.seq,
    i.due_on,
    i.amount,
    COALESCE(( SELECT sum(ri.amount) AS sum
           FROM (public.cil_receipt_instalments ri
             JOIN public.cil_ledger_effective e ON ((e.id = ri.receipt_id)))
          WHERE (ri.instalment_id = i.id)), (0)::numeric) AS paid
   FROM public.cil_instalments i;

-- Name: cil_demand_list_keys_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_demand_list_keys_computed AS
 SELECT i.demand_notice_id,
    sum(i.paid) AS paid,
    min(i.due_on) FILTER (WHERE (i.paid < i.amount)) AS next_due,
    (array_agg((i.amount - i.paid) ORDER BY i.due_on, i.seq) FILTER (WHERE (i.paid < i.amount)))[1] AS next_due_amount
   FROM public.cil_instalment_paid_computed i
  GROUP BY i.demand_notice_id;

-- Name: cil_instalment_paid; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_instalment_paid (
    instalment_id bigint NOT NULL,
    demand_notice_id bigint NOT NULL,
    paid numeric(14,2) NOT NULL
);

-- Name: cil_demand_list_keys_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_demand_list_keys_drift AS
 SELECT 'instalment'::text AS what,
    COALESCE(k.instalment_id, c.instalment_id) AS id
   FROM (public.cil_instalment_paid k
     FULL JOIN public.cil_instalment_paid_computed c ON ((c.instalment_id = k.instalment_id)))
  WHERE (k.paid IS DISTINCT FROM c.paid)
UNION ALL
 SELECT 'notice'::text AS what,
    COALESCE(k.demand_notice_id, c.demand_notice_id) AS id
   FROM (public.cil_demand_list_keys k
     FULL JOIN public.cil_demand_list_keys_computed c ON ((c.demand_notice_id = k.demand_notice_id)))
  WHERE (((k.paid IS DISTINCT FROM c.paid) OR (k.next_due IS DISTINCT FROM c.next_due)) OR (k.next_due_amount IS DISTINCT FROM c.next_due_amount));

-- Name: cil_demand_notices; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_demand_notices (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    liability_notice_id bigint NOT NULL,
    party_id bigint,
    charging_authority text DEFAULT 'council'::text NOT NULL,
    reference text NOT NULL,
    issued_on date NOT NULL,
    commencement_date date NOT NULL,
    amount numeric(14,2) NOT NULL,
    supersedes_id bigint,
    import_ref text,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    basis text DEFAULT 'recorded'::text NOT NULL,
    policy_id bigint,
    note text DEFAULT ''::text NOT NULL,
    CONSTRAINT cil_demand_notices_amount_check CHECK ((amount >= (0)::numeric)),
    CONSTRAINT cil_demand_notices_basis_check CHECK ((basis = ANY (ARRAY['recorded'::text, 'instalment-policy'::text, 'in-full-60-days'::text, 'in-full-deemed'::text, 'in-full'::text]))),
    CONSTRAINT cil_demand_notices_charging_authority_check CHECK ((charging_authority = ANY (ARRAY['council'::text, 'mayor'::text]))),
    CONSTRAINT cil_demand_notices_policy_basis CHECK (((basis = 'instalment-policy'::text) = (policy_id IS NOT NULL))),
    CONSTRAINT cil_demand_notices_reference_check CHECK ((btrim(reference) <> ''::text))
);

-- Name: cil_demand_notices_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_demand_notices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_demand_notices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_developments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_developments (
    id bigint NOT NULL,
    reference text NOT NULL,
    development_id bigint,
    planning_reference text DEFAULT ''::text NOT NULL,
    description text NOT NULL,
    address text DEFAULT ''::text NOT NULL,
    postcode text DEFAULT ''::text NOT NULL,
    ward text DEFAULT ''::text NOT NULL,
    parish_code text,
    permission_date date NOT NULL,
    permission_kind text DEFAULT 'full'::text NOT NULL,
    neighbourhood_order boolean DEFAULT false NOT NULL,
    dwellings integer,
    notes text DEFAULT ''::text NOT NULL,
    import_ref text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    list_proposed_gia numeric DEFAULT 0 NOT NULL,
    list_notice_amount numeric(14,2),
    list_notice_issued date,
    CONSTRAINT cil_developments_description_check CHECK ((btrim(description) <> ''::text)),
    CONSTRAINT cil_developments_dwellings_check CHECK ((dwellings >= 0)),
    CONSTRAINT cil_developments_permission_kind_check CHECK ((permission_kind = ANY (ARRAY['full'::text, 'outline'::text, 'reserved-matters'::text, 'section-73'::text, 'general-consent'::text, 'prior-approval'::text]))),
    CONSTRAINT cil_developments_reference_check CHECK ((btrim(reference) <> ''::text))
);

-- Name: cil_floor_areas; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_floor_areas (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    use_code text NOT NULL,
    kind text NOT NULL,
    gia numeric(12,2) NOT NULL,
    in_use boolean DEFAULT false NOT NULL,
    lawful_use boolean DEFAULT false NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    use_from date,
    use_until date,
    CONSTRAINT cil_floor_areas_check CHECK (((kind <> 'proposed'::text) OR (NOT (in_use OR lawful_use)))),
    CONSTRAINT cil_floor_areas_gia_check CHECK ((gia > (0)::numeric)),
    CONSTRAINT cil_floor_areas_kind_check CHECK ((kind = ANY (ARRAY['proposed'::text, 'retained'::text, 'demolished'::text]))),
    CONSTRAINT cil_floor_areas_use_code_check CHECK ((use_code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT cil_floor_areas_use_only_existing CHECK (((kind <> 'proposed'::text) OR ((use_from IS NULL) AND (use_until IS NULL)))),
    CONSTRAINT cil_floor_areas_use_period CHECK (((use_until IS NULL) OR (use_from IS NULL) OR (use_until >= use_from)))
);

-- Name: cil_liability_notices; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_liability_notices (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    charging_authority text DEFAULT 'council'::text NOT NULL,
    reference text DEFAULT ''::text NOT NULL,
    issued_on date NOT NULL,
    chargeable_amount numeric(14,2) NOT NULL,
    relief_amount numeric(14,2) DEFAULT 0 NOT NULL,
    calculation jsonb NOT NULL,
    supersedes_id bigint,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cil_liability_notices_chargeable_amount_check CHECK ((chargeable_amount >= (0)::numeric)),
    CONSTRAINT cil_liability_notices_charging_authority_check CHECK ((charging_authority = ANY (ARRAY['council'::text, 'mayor'::text]))),
    CONSTRAINT cil_liability_notices_check CHECK ((relief_amount <= chargeable_amount)),
    CONSTRAINT cil_liability_notices_relief_amount_check CHECK ((relief_amount >= (0)::numeric))
);

-- Name: cil_development_list_keys_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_development_list_keys_computed AS
 SELECT d.id,
    COALESCE(( SELECT sum(a.gia) AS sum
           FROM public.cil_floor_areas a
          WHERE ((a.cil_development_id = d.id) AND (a.kind = 'proposed'::text))), (0)::numeric) AS list_proposed_gia,
    n.chargeable_amount AS list_notice_amount,
    n.issued_on AS list_notice_issued
   FROM (public.cil_developments d
     LEFT JOIN LATERAL ( SELECT l.chargeable_amount,
            l.issued_on
           FROM public.cil_liability_notices l
          WHERE ((l.cil_development_id = d.id) AND (l.charging_authority = 'council'::text) AND (NOT (EXISTS ( SELECT 1
                   FROM public.cil_liability_notices s
                  WHERE (s.supersedes_id = l.id)))))
          ORDER BY l.id DESC
         LIMIT 1) n ON (true));

-- Name: cil_development_list_keys_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_development_list_keys_drift AS
 SELECT d.id
   FROM (public.cil_developments d
     JOIN public.cil_development_list_keys_computed c ON ((c.id = d.id)))
  WHERE (((d.list_proposed_gia IS DISTINCT FROM c.list_proposed_gia) OR (d.list_notice_amount IS DISTINCT FROM c.list_notice_amount)) OR (d.list_notice_issued IS DISTINCT FROM c.list_notice_issued));

-- Name: cil_development_zones; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_development_zones (
    cil_development_id bigint NOT NULL,
    schedule_id bigint NOT NULL,
    zone_id bigint NOT NULL,
    placed_by text NOT NULL,
    CONSTRAINT cil_development_zones_placed_by_check CHECK ((placed_by = ANY (ARRAY['officer'::text, 'postcode'::text, 'ward'::text])))
);

-- Name: cil_developments_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_developments ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_developments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_floor_areas_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_floor_areas ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_floor_areas_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_floor_areas_in_use_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_floor_areas_in_use_drift AS
 SELECT a.id,
    a.cil_development_id,
    a.in_use,
    public.cil_in_use(a.use_from, a.use_until, d.permission_date) AS computed
   FROM (public.cil_floor_areas a
     JOIN public.cil_developments d ON ((d.id = a.cil_development_id)))
  WHERE ((a.use_from IS NOT NULL) AND (a.use_until IS NOT NULL) AND (a.in_use IS DISTINCT FROM public.cil_in_use(a.use_from, a.use_until, d.permission_date)));

-- Name: cil_instalment_policies; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_instalment_policies (
    id bigint NOT NULL,
    charging_authority text DEFAULT 'council'::text NOT NULL,
    name text NOT NULL,
    takes_effect date NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_instalment_policies_charging_authority_check CHECK ((charging_authority = ANY (ARRAY['council'::text, 'mayor'::text]))),
    CONSTRAINT cil_instalment_policies_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: cil_instalment_policies_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_instalment_policies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_instalment_policies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_instalment_rules; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_instalment_rules (
    policy_id bigint NOT NULL,
    up_to numeric(14,2),
    seq integer NOT NULL,
    share numeric(7,4) NOT NULL,
    days_after integer NOT NULL,
    CONSTRAINT cil_instalment_rules_days_after_check CHECK ((days_after >= 0)),
    CONSTRAINT cil_instalment_rules_seq_check CHECK ((seq >= 1)),
    CONSTRAINT cil_instalment_rules_share_check CHECK (((share > (0)::numeric) AND (share <= (1)::numeric))),
    CONSTRAINT cil_instalment_rules_up_to_check CHECK ((up_to > (0)::numeric))
);

-- Name: cil_instalments_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_instalments ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_instalments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_ledger_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_ledger_entries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_ledger_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_liability_notices_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_liability_notices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_liability_notices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_parish_half_dues; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_parish_half_dues (
    parish_code text NOT NULL,
    period_start date NOT NULL,
    portions integer NOT NULL,
    due numeric NOT NULL
);

-- Name: cil_parishes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_parishes (
    code text NOT NULL,
    name text NOT NULL,
    council_name text DEFAULT ''::text NOT NULL,
    receives_cil boolean DEFAULT true NOT NULL,
    neighbourhood_plan_from date,
    contact_email text DEFAULT ''::text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_parishes_code_check CHECK ((btrim(code) <> ''::text)),
    CONSTRAINT cil_parishes_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: cil_pot_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_pot_totals (
    pot text NOT NULL,
    parish_code text DEFAULT ''::text NOT NULL,
    received numeric DEFAULT 0 NOT NULL,
    passed numeric DEFAULT 0 NOT NULL,
    recovered numeric DEFAULT 0 NOT NULL,
    applied numeric DEFAULT 0 NOT NULL,
    repaid numeric DEFAULT 0 NOT NULL,
    allocated numeric DEFAULT 0 NOT NULL,
    spent numeric DEFAULT 0 NOT NULL
);

-- Name: cil_parish_dues; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_parish_dues AS
 WITH dues AS (
         SELECT h.parish_code,
            h.period_start,
            h.due
           FROM (public.cil_parish_half_dues h
             JOIN public.cil_parishes pa ON (((pa.code = h.parish_code) AND pa.receives_cil)))
          WHERE (h.portions > 0)
        ), running AS (
         SELECT d.parish_code,
            d.period_start,
            d.due,
            sum(d.due) OVER (PARTITION BY d.parish_code ORDER BY d.period_start) AS cum_end
           FROM dues d
        )
 SELECT r.parish_code,
    r.period_start,
    (((r.period_start + '6 mons'::interval) - '1 day'::interval))::date AS period_end,
        CASE
            WHEN (EXTRACT(month FROM r.period_start) = (4)::numeric) THEN make_date((EXTRACT(year FROM r.period_start))::integer, 10, 28)
            ELSE make_date(((EXTRACT(year FROM r.period_start))::integer + 1), 4, 28)
        END AS due_on,
    r.due,
    GREATEST((0)::numeric, LEAST(r.due, (r.cum_end - COALESCE(t.passed, (0)::numeric)))) AS outstanding
   FROM (running r
     LEFT JOIN public.cil_pot_totals t ON (((t.pot = 'neighbourhood'::text) AND (t.parish_code = r.parish_code))));

-- Name: cil_parish_dwellings; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_parish_dwellings (
    parish_code text NOT NULL,
    financial_year integer NOT NULL,
    dwellings integer NOT NULL,
    CONSTRAINT cil_parish_dwellings_dwellings_check CHECK ((dwellings >= 0)),
    CONSTRAINT cil_parish_dwellings_financial_year_check CHECK (((financial_year >= 2010) AND (financial_year <= 2100)))
);

-- Name: cil_receipt_portions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_receipt_portions (
    receipt_id bigint NOT NULL,
    portion text NOT NULL,
    parish_code text,
    amount numeric(14,2) NOT NULL,
    CONSTRAINT cil_receipt_portions_amount_check CHECK ((amount >= (0)::numeric)),
    CONSTRAINT cil_receipt_portions_check CHECK (((portion = 'neighbourhood'::text) = (parish_code IS NOT NULL))),
    CONSTRAINT cil_receipt_portions_portion_check CHECK ((portion = ANY (ARRAY['admin'::text, 'neighbourhood'::text, 'strategic'::text, 'mayor'::text])))
);

-- Name: cil_parish_half_dues_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_parish_half_dues_computed AS
 SELECT p.parish_code,
    public.cil_half_year_start(e.entry_date) AS period_start,
    (count(*))::integer AS portions,
    sum(p.amount) AS due
   FROM (public.cil_receipt_portions p
     JOIN public.cil_ledger_effective e ON ((e.id = p.receipt_id)))
  WHERE (p.portion = 'neighbourhood'::text)
  GROUP BY p.parish_code, (public.cil_half_year_start(e.entry_date));

-- Name: cil_parish_half_dues_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_parish_half_dues_drift AS
 SELECT COALESCE(k.parish_code, c.parish_code) AS parish_code,
    COALESCE(k.period_start, c.period_start) AS period_start
   FROM (public.cil_parish_half_dues k
     FULL JOIN public.cil_parish_half_dues_computed c ON (((c.parish_code = k.parish_code) AND (c.period_start = k.period_start))))
  WHERE ((COALESCE(k.portions, 0) <> COALESCE(c.portions, 0)) OR (COALESCE(k.due, (0)::numeric) <> COALESCE(c.due, (0)::numeric)));

-- Name: cil_parish_reports; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_parish_reports (
    id bigint NOT NULL,
    parish_code text NOT NULL,
    financial_year integer NOT NULL,
    received numeric(14,2) NOT NULL,
    spent numeric(14,2) NOT NULL,
    retained numeric(14,2),
    reported_on date,
    note text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_parish_reports_financial_year_check CHECK (((financial_year >= 2010) AND (financial_year <= 2100))),
    CONSTRAINT cil_parish_reports_received_check CHECK ((received >= (0)::numeric)),
    CONSTRAINT cil_parish_reports_retained_check CHECK ((retained >= (0)::numeric)),
    CONSTRAINT cil_parish_reports_spent_check CHECK ((spent >= (0)::numeric))
);

-- Name: cil_parish_reports_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_parish_reports ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_parish_reports_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_parties; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_parties (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    role text NOT NULL,
    name text NOT NULL,
    address text DEFAULT ''::text NOT NULL,
    email text DEFAULT ''::text NOT NULL,
    assumed_on date,
    ended_on date,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_parties_check CHECK (((role = 'assumed-liability'::text) = (assumed_on IS NOT NULL))),
    CONSTRAINT cil_parties_check1 CHECK (((ended_on IS NULL) OR (assumed_on IS NULL) OR (ended_on >= assumed_on))),
    CONSTRAINT cil_parties_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT cil_parties_role_check CHECK ((role = ANY (ARRAY['assumed-liability'::text, 'owner'::text, 'relevant-person'::text, 'agent'::text])))
);

-- Name: cil_parties_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_parties ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_parties_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_pot_movements; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_pot_movements AS
 SELECT p.receipt_id AS entry_id,
    p.portion AS pot,
    COALESCE(p.parish_code, ''::text) AS parish_code,
    p.amount AS received,
    (0)::numeric AS passed,
    (0)::numeric AS recovered,
    (0)::numeric AS applied,
    (0)::numeric AS repaid,
    (0)::numeric AS allocated,
    (0)::numeric AS spent
   FROM public.cil_receipt_portions p
UNION ALL
 SELECT e.id AS entry_id,
        CASE e.kind
            WHEN 'parish-payment'::text THEN 'neighbourhood'::text
            WHEN 'parish-recovery'::text THEN 'neighbourhood'::text
            WHEN 'admin'::text THEN 'admin'::text
            WHEN 'mayor-payment'::text THEN 'mayor'::text
            WHEN 'repayment'::text THEN
            CASE e.charging_authority
                WHEN 'mayor'::text THEN 'mayor'::text
                ELSE 'strategic'::text
            END
            ELSE e.pot
        END AS pot,
        CASE
            WHEN ((e.kind = ANY (ARRAY['parish-payment'::text, 'parish-recovery'::text])) OR (e.pot = 'neighbourhood'::text)) THEN e.parish_code
            ELSE ''::text
        END AS parish_code,
    0 AS received,
        CASE
            WHEN (e.kind = ANY (ARRAY['parish-payment'::text, 'mayor-payment'::text])) THEN e.amount
            ELSE (0)::numeric
        END AS passed,
        CASE
            WHEN (e.kind = 'parish-recovery'::text) THEN e.amount
            ELSE (0)::numeric
        END AS recovered,
        CASE
            WHEN (e.kind = 'admin'::text) THEN e.amount
            ELSE (0)::numeric
        END AS applied,
        CASE
            WHEN (e.kind = 'repayment'::text) THEN e.amount
            ELSE (0)::numeric
        END AS repaid,
        CASE e.kind
            WHEN 'allocation'::text THEN e.amount
            WHEN 'deallocation'::text THEN (- e.amount)
            ELSE (0)::numeric
        END AS allocated,
        CASE
            WHEN (e.kind = 'spend'::text) THEN e.amount
            ELSE (0)::numeric
        END AS spent
   FROM public.cil_ledger_entries e
  WHERE (e.kind <> ALL (ARRAY['receipt'::text, 'reversal'::text]));

-- Name: cil_pot_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_pot_totals_computed AS
 SELECT m.pot,
    m.parish_code,
    sum(m.received) AS received,
    sum(m.passed) AS passed,
    sum(m.recovered) AS recovered,
    sum(m.applied) AS applied,
    sum(m.repaid) AS repaid,
    sum(m.allocated) AS allocated,
    sum(m.spent) AS spent
   FROM (public.cil_pot_movements m
     JOIN public.cil_ledger_effective e ON ((e.id = m.entry_id)))
  GROUP BY m.pot, m.parish_code;

-- Name: cil_project_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_project_totals (
    project_id bigint NOT NULL,
    pot text NOT NULL,
    parish_code text DEFAULT ''::text NOT NULL,
    allocated numeric DEFAULT 0 NOT NULL,
    spent numeric DEFAULT 0 NOT NULL
);

-- Name: cil_project_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_project_totals_computed AS
 SELECT e.project_id,
    e.pot,
    COALESCE(
        CASE
            WHEN (e.pot = 'neighbourhood'::text) THEN e.parish_code
            ELSE NULL::text
        END, ''::text) AS parish_code,
    sum(
        CASE e.kind
            WHEN 'allocation'::text THEN e.amount
            WHEN 'deallocation'::text THEN (- e.amount)
            ELSE (0)::numeric
        END) AS allocated,
    sum(
        CASE
            WHEN (e.kind = 'spend'::text) THEN e.amount
            ELSE (0)::numeric
        END) AS spent
   FROM public.cil_ledger_effective e
  WHERE (e.project_id IS NOT NULL)
  GROUP BY e.project_id, e.pot, COALESCE(
        CASE
            WHEN (e.pot = 'neighbourhood'::text) THEN e.parish_code
            ELSE NULL::text
        END, ''::text);

-- Name: cil_rates; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_rates (
    id bigint NOT NULL,
    schedule_id bigint NOT NULL,
    zone_id bigint,
    use_code text NOT NULL,
    use_name text NOT NULL,
    rate numeric(10,2) NOT NULL,
    CONSTRAINT cil_rates_rate_check CHECK ((rate >= (0)::numeric)),
    CONSTRAINT cil_rates_use_code_check CHECK ((use_code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT cil_rates_use_name_check CHECK ((btrim(use_name) <> ''::text))
);

-- Name: cil_rates_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_rates ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_rates_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_recovery_notices; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_recovery_notices (
    id bigint NOT NULL,
    parish_code text NOT NULL,
    served_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    reason text NOT NULL,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cil_recovery_notices_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT cil_recovery_notices_reason_check CHECK ((btrim(reason) <> ''::text))
);

-- Name: cil_recovery_notices_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_recovery_notices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_recovery_notices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_reliefs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_reliefs (
    id bigint NOT NULL,
    cil_development_id bigint NOT NULL,
    kind text NOT NULL,
    claimant text DEFAULT ''::text NOT NULL,
    claimed_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    decision text DEFAULT 'pending'::text NOT NULL,
    decided_on date,
    clawback_ends date,
    withdrawn_on date,
    withdrawal_reason text DEFAULT ''::text NOT NULL,
    clawed_back numeric(14,2),
    note text DEFAULT ''::text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    compliance_on date,
    disqualifying_event_on date,
    decision_reason text DEFAULT ''::text NOT NULL,
    CONSTRAINT cil_reliefs_amount_check CHECK ((amount >= (0)::numeric)),
    CONSTRAINT cil_reliefs_check CHECK (((decision = 'pending'::text) = (decided_on IS NULL))),
    CONSTRAINT cil_reliefs_check1 CHECK (((withdrawn_on IS NULL) OR (decision = 'granted'::text))),
    CONSTRAINT cil_reliefs_check2 CHECK (((clawed_back IS NULL) OR (withdrawn_on IS NOT NULL))),
    CONSTRAINT cil_reliefs_check3 CHECK (((btrim(withdrawal_reason) = ''::text) OR (withdrawn_on IS NOT NULL))),
    CONSTRAINT cil_reliefs_clawed_back_check CHECK ((clawed_back > (0)::numeric)),
    CONSTRAINT cil_reliefs_clawed_back_not_more CHECK (((clawed_back IS NULL) OR (clawed_back <= amount))),
    CONSTRAINT cil_reliefs_decision_check CHECK ((decision = ANY (ARRAY['pending'::text, 'granted'::text, 'refused'::text]))),
    CONSTRAINT cil_reliefs_event_withdrawn CHECK (((disqualifying_event_on IS NULL) = (withdrawn_on IS NULL))),
    CONSTRAINT cil_reliefs_kind_check CHECK ((kind = ANY (ARRAY['social-housing'::text, 'charitable'::text, 'self-build'::text, 'residential-annex'::text, 'residential-extension'::text, 'exceptional-circumstances'::text, 'minor-development'::text])))
);

-- Name: cil_reliefs_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_reliefs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_reliefs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_schedules; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_schedules (
    id bigint NOT NULL,
    name text NOT NULL,
    charging_authority text DEFAULT 'council'::text NOT NULL,
    takes_effect date NOT NULL,
    ends date,
    notes text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_schedules_charging_authority_check CHECK ((charging_authority = ANY (ARRAY['council'::text, 'mayor'::text]))),
    CONSTRAINT cil_schedules_check CHECK (((ends IS NULL) OR (ends >= takes_effect))),
    CONSTRAINT cil_schedules_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: cil_schedules_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_schedules ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_schedules_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: cil_totals_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.cil_totals_drift AS
 SELECT 'cil_pot_totals'::text AS derived,
    ((COALESCE(k.pot, c.pot) || '/'::text) || COALESCE(k.parish_code, c.parish_code)) AS id
   FROM (public.cil_pot_totals k
     FULL JOIN public.cil_pot_totals_computed c ON (((c.pot = k.pot) AND (c.parish_code = k.parish_code))))
  WHERE (((((((COALESCE(k.received, (0)::numeric) IS DISTINCT FROM COALESCE(c.received, (0)::numeric)) OR (COALESCE(k.passed, (0)::numeric) IS DISTINCT FROM COALESCE(c.passed, (0)::numeric))) OR (COALESCE(k.recovered, (0)::numeric) IS DISTINCT FROM COALESCE(c.recovered, (0)::numeric))) OR (COALESCE(k.applied, (0)::numeric) IS DISTINCT FROM COALESCE(c.applied, (0)::numeric))) OR (COALESCE(k.repaid, (0)::numeric) IS DISTINCT FROM COALESCE(c.repaid, (0)::numeric))) OR (COALESCE(k.allocated, (0)::numeric) IS DISTINCT FROM COALESCE(c.allocated, (0)::numeric))) OR (COALESCE(k.spent, (0)::numeric) IS DISTINCT FROM COALESCE(c.spent, (0)::numeric)))
UNION ALL
 SELECT 'cil_project_totals'::text AS derived,
    (((((COALESCE(k.project_id, c.project_id))::text || '/'::text) || COALESCE(k.pot, c.pot)) || '/'::text) || COALESCE(k.parish_code, c.parish_code)) AS id
   FROM (public.cil_project_totals k
     FULL JOIN public.cil_project_totals_computed c ON (((c.project_id = k.project_id) AND (c.pot = k.pot) AND (c.parish_code = k.parish_code))))
  WHERE ((COALESCE(k.allocated, (0)::numeric) IS DISTINCT FROM COALESCE(c.allocated, (0)::numeric)) OR (COALESCE(k.spent, (0)::numeric) IS DISTINCT FROM COALESCE(c.spent, (0)::numeric)));

-- Name: cil_zones; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.cil_zones (
    id bigint NOT NULL,
    schedule_id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    postcodes text[] DEFAULT '{}'::text[] NOT NULL,
    wards text[] DEFAULT '{}'::text[] NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT cil_zones_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: cil_zones_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.cil_zones ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.cil_zones_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: company_statuses; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.company_statuses (
    company_number text NOT NULL,
    company_name text DEFAULT ''::text NOT NULL,
    status text NOT NULL,
    status_detail text DEFAULT ''::text NOT NULL,
    source text NOT NULL,
    checked_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT company_statuses_company_number_check CHECK ((company_number ~ '^[A-Z0-9]{8}$'::text)),
    CONSTRAINT company_statuses_source_check CHECK ((source = ANY (ARRAY['api'::text, 'bulk'::text, 'demo'::text]))),
    CONSTRAINT company_statuses_status_check CHECK ((btrim(status) <> ''::text))
);

-- Name: contribution_funding_statuses; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.contribution_funding_statuses (
    code text NOT NULL,
    name text NOT NULL,
    CONSTRAINT contribution_funding_statuses_code_check CHECK ((code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT contribution_funding_statuses_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: contribution_purposes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.contribution_purposes (
    code text NOT NULL,
    name text NOT NULL,
    parent_code text,
    "national" boolean DEFAULT false NOT NULL,
    levy boolean DEFAULT false NOT NULL,
    CONSTRAINT contribution_purposes_check CHECK (("national" = (parent_code IS NULL))),
    CONSTRAINT contribution_purposes_code_check CHECK ((code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT contribution_purposes_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: data_standard_agreement_types; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.data_standard_agreement_types (
    agreement_type text NOT NULL,
    developer_agreement_type text NOT NULL
);

-- Name: data_standard_entry_kinds; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.data_standard_entry_kinds (
    kind text NOT NULL,
    funding_status text NOT NULL,
    sign smallint NOT NULL,
    CONSTRAINT data_standard_entry_kinds_kind_check CHECK ((kind = ANY (ARRAY['receipt'::text, 'allocation'::text, 'deallocation'::text, 'spend'::text, 'return'::text]))),
    CONSTRAINT data_standard_entry_kinds_sign_check CHECK ((sign = ANY (ARRAY[1, '-1'::integer])))
);

-- Name: data_version; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.data_version (
    only_row boolean DEFAULT true NOT NULL,
    version bigint NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    CONSTRAINT data_version_only_row_check CHECK (only_row)
);

-- Name: home_event_dates; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.home_event_dates (
    home_id bigint NOT NULL,
    started_on date,
    completed_on date,
    transferred_on date,
    occupied_on date,
    exit_route text,
    exited_on date,
    changed_tenure text,
    transferred_to bigint
);

-- Name: homes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.homes (
    id bigint NOT NULL,
    development_id bigint NOT NULL,
    obligation_id bigint,
    plot text NOT NULL,
    tenure text NOT NULL,
    bedrooms integer NOT NULL,
    habitable_rooms integer,
    floor_area_m2 numeric(7,2),
    wheelchair text DEFAULT 'none'::text NOT NULL,
    floor_block text DEFAULT ''::text NOT NULL,
    registered_provider_id bigint,
    address text DEFAULT ''::text NOT NULL,
    postcode text DEFAULT ''::text NOT NULL,
    uprn text,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    plot_prefix text GENERATED ALWAYS AS (lower("substring"(plot, '^[^0-9]*'::text))) STORED,
    plot_number numeric GENERATED ALWAYS AS ((NULLIF("substring"(plot, '[0-9]+'::text), ''::text))::numeric) STORED,
    development_sort text NOT NULL,
    list_tenure text NOT NULL,
    list_state text NOT NULL,
    list_provider_id bigint,
    list_provider_sort text,
    plot_fold text GENERATED ALWAYS AS (public.search_fold(plot)) STORED,
    address_fold text GENERATED ALWAYS AS (public.search_fold(address)) STORED,
    provider_reference text DEFAULT ''::text NOT NULL,
    weekly_rent numeric(8,2),
    list_tenure_order integer NOT NULL,
    CONSTRAINT homes_bedrooms_check CHECK (((bedrooms >= 0) AND (bedrooms <= 10))),
    CONSTRAINT homes_check CHECK (((tenure <> 'market'::text) OR (obligation_id IS NULL))),
    CONSTRAINT homes_floor_area_m2_check CHECK ((floor_area_m2 > (0)::numeric)),
    CONSTRAINT homes_habitable_rooms_check CHECK (((habitable_rooms >= 1) AND (habitable_rooms <= 20))),
    CONSTRAINT homes_plot_check CHECK ((btrim(plot) <> ''::text)),
    CONSTRAINT homes_uprn_check CHECK ((uprn ~ '^[0-9]{1,12}$'::text)),
    CONSTRAINT homes_weekly_rent_check CHECK ((weekly_rent >= (0)::numeric)),
    CONSTRAINT homes_wheelchair_check CHECK ((wheelchair = ANY (ARRAY['none'::text, 'm4-2'::text, 'm4-3'::text])))
);

-- Name: market_occupation_counts; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.market_occupation_counts (
    id bigint NOT NULL,
    development_id bigint NOT NULL,
    counted_on date NOT NULL,
    market_homes integer,
    occupied integer NOT NULL,
    source text NOT NULL,
    evidence text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    given_by text DEFAULT ''::text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT market_occupation_counts_check CHECK (((market_homes IS NULL) OR (occupied <= market_homes))),
    CONSTRAINT market_occupation_counts_market_homes_check CHECK ((market_homes >= 0)),
    CONSTRAINT market_occupation_counts_occupied_check CHECK ((occupied >= 0)),
    CONSTRAINT market_occupation_counts_source_check CHECK ((source = ANY (ARRAY['building-control'::text, 'council-tax'::text, 'developer'::text, 'other'::text])))
);

-- Name: obligations; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligations (
    id bigint NOT NULL,
    agreement_id bigint NOT NULL,
    kind text NOT NULL,
    purpose_code text NOT NULL,
    clause_ref text DEFAULT ''::text NOT NULL,
    description text NOT NULL,
    phase text DEFAULT ''::text NOT NULL,
    trigger_type text,
    trigger_quantity integer,
    trigger_date date,
    trigger_detail text DEFAULT ''::text NOT NULL,
    base_amount numeric(14,2),
    index_series text,
    indexation_none boolean DEFAULT false NOT NULL,
    base_date date,
    base_index_value numeric(12,4),
    payment_due_days integer,
    payment_due_from text,
    spend_by_months integer,
    return_unspent boolean DEFAULT false NOT NULL,
    interest_terms text DEFAULT ''::text NOT NULL,
    maintenance_sum boolean DEFAULT false NOT NULL,
    units integer,
    school_places integer,
    school_category text DEFAULT ''::text NOT NULL,
    open_space_m2 numeric(12,2),
    works_description text DEFAULT ''::text NOT NULL,
    service_area text DEFAULT ''::text NOT NULL,
    contact_name text DEFAULT ''::text NOT NULL,
    contact_email text DEFAULT ''::text NOT NULL,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    import_ref text,
    spending_area text DEFAULT ''::text NOT NULL,
    spending_ward text DEFAULT ''::text NOT NULL,
    spend_by_from text DEFAULT 'payment'::text NOT NULL,
    spend_by_event text DEFAULT ''::text NOT NULL,
    spend_by_start date,
    index_to text DEFAULT 'trigger'::text NOT NULL,
    CONSTRAINT obligations_base_amount_check CHECK ((base_amount > (0)::numeric)),
    CONSTRAINT obligations_base_index_value_check CHECK ((base_index_value > (0)::numeric)),
    CONSTRAINT obligations_check CHECK (((trigger_type <> ALL (ARRAY['occupation-count'::text, 'phase-completion'::text, 'months-after-event'::text])) OR (trigger_quantity IS NOT NULL))),
    CONSTRAINT obligations_check1 CHECK (((trigger_type <> 'occupation-percent'::text) OR ((trigger_quantity >= 1) AND (trigger_quantity <= 100)))),
    CONSTRAINT obligations_check2 CHECK (((trigger_type <> 'fixed-date'::text) OR (trigger_date IS NOT NULL))),
    CONSTRAINT obligations_check3 CHECK (((trigger_type <> ALL (ARRAY['other'::text, 'months-after-event'::text])) OR (btrim(trigger_detail) <> ''::text))),
    CONSTRAINT obligations_check4 CHECK ((NOT (indexation_none AND (index_series IS NOT NULL)))),
    CONSTRAINT obligations_description_check CHECK ((btrim(description) <> ''::text)),
    CONSTRAINT obligations_index_to_check CHECK ((index_to = ANY (ARRAY['trigger'::text, 'invoice'::text]))),
    CONSTRAINT obligations_kind_check CHECK ((kind = ANY (ARRAY['financial'::text, 'affordable-housing'::text, 'works-in-kind'::text, 'restriction'::text, 'monitoring-fee'::text, 'other'::text]))),
    CONSTRAINT obligations_open_space_m2_check CHECK ((open_space_m2 > (0)::numeric)),
    CONSTRAINT obligations_payment_due_days_check CHECK ((payment_due_days >= 0)),
    CONSTRAINT obligations_payment_due_from_check CHECK ((payment_due_from = ANY (ARRAY['trigger'::text, 'invoice'::text]))),
    CONSTRAINT obligations_school_category_check CHECK ((school_category = ANY (ARRAY[''::text, 'early-years'::text, 'primary'::text, 'secondary'::text, 'sixth-form'::text, 'special'::text, 'all-through'::text]))),
    CONSTRAINT obligations_school_places_check CHECK ((school_places > 0)),
    CONSTRAINT obligations_spend_by_event CHECK (((spend_by_from <> 'event'::text) OR (btrim(spend_by_event) <> ''::text))),
    CONSTRAINT obligations_spend_by_fixed_date CHECK (((spend_by_from <> 'fixed-date'::text) OR (spend_by_start IS NOT NULL))),
    CONSTRAINT obligations_spend_by_from_check CHECK ((spend_by_from = ANY (ARRAY['payment'::text, 'final-instalment'::text, 'event'::text, 'fixed-date'::text]))),
    CONSTRAINT obligations_spend_by_months_check CHECK ((spend_by_months > 0)),
    CONSTRAINT obligations_trigger_quantity_check CHECK ((trigger_quantity > 0)),
    CONSTRAINT obligations_trigger_type_check CHECK ((trigger_type = ANY (ARRAY['on-signing'::text, 'commencement'::text, 'occupation-count'::text, 'occupation-percent'::text, 'phase-completion'::text, 'fixed-date'::text, 'months-after-event'::text, 'other'::text]))),
    CONSTRAINT obligations_units_check CHECK ((units > 0))
);

-- Name: obligation_agreed_homes; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_agreed_homes AS
 SELECT o.id AS obligation_id,
    COALESCE(m.affordable_homes, ( SELECT (NULLIF(sum(l.homes), 0))::integer AS "nullif"
           FROM public.affordable_mix_lines l
          WHERE ((l.obligation_id = o.id) AND (l.tenure <> 'market'::text))), o.units, 0) AS agreed
   FROM (public.obligations o
     LEFT JOIN public.affordable_mixes m ON ((m.obligation_id = o.id)))
  WHERE (o.kind = 'affordable-housing'::text);

-- Name: delivery_trigger_numbers; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.delivery_trigger_numbers AS
 SELECT o.id AS obligation_id,
    a.development_id,
    lim.occupation_limit,
    ag.agreed,
    af.recorded,
    af.transferred,
    GREATEST(mk.homes, COALESCE(c.market_homes, 0)) AS market_homes,
    mk.homes AS market_homes_recorded,
    mk.occupied AS market_occupied_recorded,
    c.counted_on,
    c.occupied AS market_occupied_counted,
    GREATEST(mk.occupied, COALESCE(c.occupied, 0)) AS market_occupied,
    j.not_transferred,
    public.delivery_trigger_breach(lim.occupation_limit, GREATEST(mk.homes, COALESCE(c.market_homes, 0)), GREATEST(mk.occupied, COALESCE(c.occupied, 0)), j.not_transferred) AS breach
   FROM ((((((((public.obligations o
     JOIN public.agreements a ON ((a.id = o.agreement_id)))
     LEFT JOIN public.affordable_mixes m ON ((m.obligation_id = o.id)))
     JOIN public.obligation_agreed_homes ag ON ((ag.obligation_id = o.id)))
     CROSS JOIN LATERAL ( SELECT COALESCE(m.market_occupation_limit,
                CASE
                    WHEN (o.trigger_type = 'occupation-percent'::text) THEN o.trigger_quantity
                    ELSE NULL::integer
                END) AS occupation_limit) lim)
     CROSS JOIN LATERAL ( SELECT (count(*))::integer AS recorded,
            (count(*) FILTER (WHERE ((d.transferred_on IS NOT NULL) OR (d.occupied_on IS NOT NULL) OR (d.exit_route IS NOT NULL))))::integer AS transferred
           FROM (public.homes h
             LEFT JOIN public.home_event_dates d ON ((d.home_id = h.id)))
          WHERE ((h.obligation_id = o.id) AND (h.archived_at IS NULL))) af)
     CROSS JOIN LATERAL ( SELECT (count(*))::integer AS homes,
            (count(d.occupied_on))::integer AS occupied
           FROM (public.homes h
             LEFT JOIN public.home_event_dates d ON ((d.home_id = h.id)))
          WHERE ((h.development_id = a.development_id) AND (h.tenure = 'market'::text) AND (h.archived_at IS NULL))) mk)
     LEFT JOIN LATERAL ( SELECT k.counted_on,
            k.market_homes,
            k.occupied
           FROM public.market_occupation_counts k
          WHERE (k.development_id = a.development_id)
          ORDER BY k.counted_on DESC, k.id DESC
         LIMIT 1) c ON (true))
     CROSS JOIN LATERAL ( SELECT public.delivery_trigger_not_transferred(ag.agreed, af.recorded, af.transferred) AS not_transferred) j)
  WHERE ((o.kind = 'affordable-housing'::text) AND (o.archived_at IS NULL) AND (lim.occupation_limit IS NOT NULL));

-- Name: home_events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.home_events (
    id bigint NOT NULL,
    home_id bigint NOT NULL,
    kind text NOT NULL,
    event_date date NOT NULL,
    new_tenure text,
    registered_provider_id bigint,
    evidence text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    reverses_id bigint,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT home_events_check CHECK (((kind = 'reversal'::text) = (reverses_id IS NOT NULL))),
    CONSTRAINT home_events_check1 CHECK (((kind = 'tenure-changed'::text) = (new_tenure IS NOT NULL))),
    CONSTRAINT home_events_check2 CHECK (((kind <> 'transferred'::text) OR (registered_provider_id IS NOT NULL))),
    CONSTRAINT home_events_check3 CHECK (((kind <> ALL (ARRAY['reversal'::text, 'tenure-changed'::text, 'other-exit'::text])) OR (btrim(note) <> ''::text))),
    CONSTRAINT home_events_kind_check CHECK ((kind = ANY (ARRAY['started'::text, 'completed'::text, 'transferred'::text, 'occupied'::text, 'tenure-changed'::text, 'right-to-buy'::text, 'right-to-acquire'::text, 'staircased'::text, 'sold'::text, 'demolished'::text, 'converted-to-market'::text, 'other-exit'::text, 'reversal'::text])))
);

-- Name: home_events_effective; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.home_events_effective AS
 SELECT e.id,
    e.home_id,
    e.kind,
    e.event_date,
    e.new_tenure,
    e.registered_provider_id,
    e.evidence,
    e.note,
    e.reverses_id,
    e.recorded_by,
    e.recorded_at
   FROM public.home_events e
  WHERE ((e.kind <> 'reversal'::text) AND (NOT (EXISTS ( SELECT 1
           FROM public.home_events r
          WHERE (r.reverses_id = e.id)))));

-- Name: home_event_dates_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.home_event_dates_computed AS
 SELECT e.home_id,
    max(e.event_date) FILTER (WHERE (e.kind = 'started'::text)) AS started_on,
    max(e.event_date) FILTER (WHERE (e.kind = 'completed'::text)) AS completed_on,
    max(e.event_date) FILTER (WHERE (e.kind = 'transferred'::text)) AS transferred_on,
    max(e.event_date) FILTER (WHERE (e.kind = 'occupied'::text)) AS occupied_on,
    (array_agg(e.kind ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE (e.kind = ANY (ARRAY['right-to-buy'::text, 'right-to-acquire'::text, 'staircased'::text, 'sold'::text, 'demolished'::text, 'converted-to-market'::text, 'other-exit'::text]))))[1] AS exit_route,
    max(e.event_date) FILTER (WHERE (e.kind = ANY (ARRAY['right-to-buy'::text, 'right-to-acquire'::text, 'staircased'::text, 'sold'::text, 'demolished'::text, 'converted-to-market'::text, 'other-exit'::text]))) AS exited_on,
    (array_agg(e.new_tenure ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE (e.kind = 'tenure-changed'::text)))[1] AS changed_tenure,
    (array_agg(e.registered_provider_id ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE (e.kind = 'transferred'::text)))[1] AS transferred_to
   FROM public.home_events_effective e
  GROUP BY e.home_id;

-- Name: ledger_entries; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.ledger_entries (
    id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    kind text NOT NULL,
    entry_date date NOT NULL,
    amount numeric(14,2) NOT NULL,
    receipt_id bigint,
    project_id bigint,
    interest numeric(14,2),
    reference text DEFAULT ''::text NOT NULL,
    evidence text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    base_amount numeric(14,2),
    index_series text,
    base_index_date date,
    base_index_value numeric(12,4),
    calc_index_date date,
    calc_index_value numeric(12,4),
    calculated_amount numeric(14,2),
    override_reason text DEFAULT ''::text NOT NULL,
    due_date date,
    reverses_id bigint,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    import_ref text,
    decision_evidence text DEFAULT ''::text NOT NULL,
    transfer_to text DEFAULT ''::text NOT NULL,
    transfer_reference text DEFAULT ''::text NOT NULL,
    calc_index_status text,
    CONSTRAINT ledger_entries_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT ledger_entries_base_amount_check CHECK ((base_amount > (0)::numeric)),
    CONSTRAINT ledger_entries_base_index_value_check CHECK ((base_index_value > (0)::numeric)),
    CONSTRAINT ledger_entries_calc_index_status_check CHECK ((calc_index_status = ANY (ARRAY['forecast'::text, 'provisional'::text, 'firm'::text]))),
    CONSTRAINT ledger_entries_calc_index_value_check CHECK ((calc_index_value > (0)::numeric)),
    CONSTRAINT ledger_entries_calculated_amount_check CHECK ((calculated_amount > (0)::numeric)),
    CONSTRAINT ledger_entries_check CHECK (((kind = 'receipt'::text) = (receipt_id IS NOT NULL))),
    CONSTRAINT ledger_entries_check1 CHECK (((kind = ANY (ARRAY['allocation'::text, 'deallocation'::text, 'spend'::text])) = (project_id IS NOT NULL))),
    CONSTRAINT ledger_entries_check2 CHECK (((kind = 'reversal'::text) = (reverses_id IS NOT NULL))),
    CONSTRAINT ledger_entries_check3 CHECK (((kind = 'return'::text) OR (interest IS NULL))),
    CONSTRAINT ledger_entries_check4 CHECK (((kind <> 'reversal'::text) OR (btrim(note) <> ''::text))),
    CONSTRAINT ledger_entries_check5 CHECK (((calculated_amount IS NULL) OR (amount = calculated_amount) OR (btrim(override_reason) <> ''::text))),
    CONSTRAINT ledger_entries_decision_evidence_kind CHECK (((decision_evidence = ''::text) OR (kind = ANY (ARRAY['allocation'::text, 'deallocation'::text])))),
    CONSTRAINT ledger_entries_interest_check CHECK ((interest >= (0)::numeric)),
    CONSTRAINT ledger_entries_kind_check CHECK ((kind = ANY (ARRAY['invoice'::text, 'receipt'::text, 'allocation'::text, 'deallocation'::text, 'spend'::text, 'return'::text, 'reversal'::text]))),
    CONSTRAINT ledger_entries_transfer_is_spend CHECK (((transfer_to = ''::text) OR (kind = 'spend'::text))),
    CONSTRAINT ledger_entries_transfer_reference CHECK (((transfer_reference = ''::text) OR (transfer_to <> ''::text)))
);

-- Name: ledger_effective; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.ledger_effective AS
 SELECT e.id,
    e.obligation_id,
    e.kind,
    e.entry_date,
    e.amount,
    e.receipt_id,
    e.project_id,
    e.interest,
    e.reference,
    e.evidence,
    e.note,
    e.base_amount,
    e.index_series,
    e.base_index_date,
    e.base_index_value,
    e.calc_index_date,
    e.calc_index_value,
    e.calculated_amount,
    e.override_reason,
    e.due_date,
    e.reverses_id,
    e.recorded_by,
    e.recorded_at
   FROM public.ledger_entries e
  WHERE ((e.kind <> 'reversal'::text) AND (NOT (EXISTS ( SELECT 1
           FROM public.ledger_entries r
          WHERE (r.reverses_id = e.id)))));

-- Name: obligation_ledger_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_ledger_totals (
    obligation_id bigint NOT NULL,
    invoiced numeric NOT NULL,
    received numeric NOT NULL,
    allocated numeric NOT NULL,
    spent numeric NOT NULL,
    returned numeric NOT NULL,
    interest_paid numeric NOT NULL,
    first_received_on date
);

-- Name: obligation_balances; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_balances AS
 SELECT o.id AS obligation_id,
    COALESCE(t.invoiced, (0)::numeric) AS invoiced,
    COALESCE(t.received, (0)::numeric) AS received,
    COALESCE(t.allocated, (0)::numeric) AS allocated,
    COALESCE(t.spent, (0)::numeric) AS spent,
    COALESCE(t.returned, (0)::numeric) AS returned,
    COALESCE(t.interest_paid, (0)::numeric) AS interest_paid,
    t.first_received_on
   FROM (public.obligations o
     LEFT JOIN public.obligation_ledger_totals t ON ((t.obligation_id = o.id)));

-- Name: obligation_event_dates; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_event_dates (
    obligation_id bigint NOT NULL,
    trigger_met_on date,
    delivered_on date,
    discharged_on date
);

-- Name: obligation_events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_events (
    id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    kind text NOT NULL,
    event_date date NOT NULL,
    evidence text DEFAULT ''::text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    reverses_id bigint,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT obligation_events_check CHECK (((kind = 'reversal'::text) = (reverses_id IS NOT NULL))),
    CONSTRAINT obligation_events_check1 CHECK (((kind <> 'reversal'::text) OR (btrim(note) <> ''::text))),
    CONSTRAINT obligation_events_kind_check CHECK ((kind = ANY (ARRAY['trigger-met'::text, 'delivered'::text, 'discharged'::text, 'reversal'::text])))
);

-- Name: obligation_events_effective; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_events_effective AS
 SELECT e.id,
    e.obligation_id,
    e.kind,
    e.event_date,
    e.evidence,
    e.note,
    e.reverses_id,
    e.recorded_by,
    e.recorded_at
   FROM public.obligation_events e
  WHERE ((e.kind <> 'reversal'::text) AND (NOT (EXISTS ( SELECT 1
           FROM public.obligation_events r
          WHERE (r.reverses_id = e.id)))));

-- Name: obligation_event_dates_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_event_dates_computed AS
 SELECT e.obligation_id,
    max(e.event_date) FILTER (WHERE (e.kind = 'trigger-met'::text)) AS trigger_met_on,
    max(e.event_date) FILTER (WHERE (e.kind = 'delivered'::text)) AS delivered_on,
    max(e.event_date) FILTER (WHERE (e.kind = 'discharged'::text)) AS discharged_on
   FROM public.obligation_events_effective e
  GROUP BY e.obligation_id;

-- Name: obligation_ledger_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_ledger_totals_computed AS
 SELECT e.obligation_id,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'invoice'::text)), (0)::numeric) AS invoiced,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'receipt'::text)), (0)::numeric) AS received,
    (COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'allocation'::text)), (0)::numeric) - COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'deallocation'::text)), (0)::numeric)) AS allocated,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'spend'::text)), (0)::numeric) AS spent,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS returned,
    COALESCE(sum(e.interest) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS interest_paid,
    min(e.entry_date) FILTER (WHERE (e.kind = 'receipt'::text)) AS first_received_on
   FROM public.ledger_effective e
  GROUP BY e.obligation_id;

-- Name: obligation_project_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_project_totals (
    obligation_id bigint NOT NULL,
    project_id bigint NOT NULL,
    allocated numeric NOT NULL,
    spent numeric NOT NULL
);

-- Name: obligation_project_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_project_totals_computed AS
 SELECT e.obligation_id,
    e.project_id,
    COALESCE(sum(
        CASE e.kind
            WHEN 'allocation'::text THEN e.amount
            WHEN 'deallocation'::text THEN (- e.amount)
            ELSE (0)::numeric
        END), (0)::numeric) AS allocated,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'spend'::text)), (0)::numeric) AS spent
   FROM public.ledger_effective e
  WHERE (e.project_id IS NOT NULL)
  GROUP BY e.obligation_id, e.project_id;

-- Name: obligation_states; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_states (
    obligation_id bigint NOT NULL,
    status text NOT NULL,
    trigger_met_on date
);

-- Name: obligation_status; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.obligation_status AS
 SELECT o.id AS obligation_id,
    ev.trigger_met_on,
    ev.delivered_on,
    ev.discharged_on,
    b.invoiced,
    b.received,
    b.allocated,
    b.spent,
    b.returned,
    b.interest_paid,
    ((b.received - b.returned) - b.spent) AS held,
        CASE
            WHEN (ev.discharged_on IS NOT NULL) THEN 'discharged'::text
            WHEN ((b.returned > (0)::numeric) AND (b.returned >= b.received)) THEN 'returned'::text
            WHEN ((b.received > (0)::numeric) AND (b.spent >= (b.received - b.returned))) THEN 'spent'::text
            WHEN (b.spent > (0)::numeric) THEN 'part-spent'::text
            WHEN (b.allocated > (0)::numeric) THEN 'allocated'::text
            WHEN ((b.received > (0)::numeric) AND (b.received < b.invoiced)) THEN 'part-paid'::text
            WHEN (b.received > (0)::numeric) THEN 'paid'::text
            WHEN (b.invoiced > (0)::numeric) THEN 'invoiced'::text
            WHEN (ev.delivered_on IS NOT NULL) THEN 'delivered'::text
            WHEN (ev.trigger_met_on IS NOT NULL) THEN 'triggered'::text
            ELSE 'pending'::text
        END AS status
   FROM ((public.obligations o
     JOIN public.obligation_balances b ON ((b.obligation_id = o.id)))
     LEFT JOIN public.obligation_event_dates ev ON ((ev.obligation_id = o.id)));

-- Name: project_ledger_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.project_ledger_totals (
    project_id bigint NOT NULL,
    allocated numeric NOT NULL,
    spent numeric NOT NULL
);

-- Name: project_ledger_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.project_ledger_totals_computed AS
 SELECT e.project_id,
    COALESCE(sum(
        CASE e.kind
            WHEN 'allocation'::text THEN e.amount
            WHEN 'deallocation'::text THEN (- e.amount)
            ELSE (0)::numeric
        END), (0)::numeric) AS allocated,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'spend'::text)), (0)::numeric) AS spent
   FROM public.ledger_effective e
  WHERE (e.project_id IS NOT NULL)
  GROUP BY e.project_id;

-- Name: receipt_share_positions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.receipt_share_positions (
    entry_id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    receipt_id bigint NOT NULL,
    received_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    cum_end numeric NOT NULL
);

-- Name: receipt_share_balances; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.receipt_share_balances AS
 SELECT s.entry_id,
    s.obligation_id,
    s.receipt_id,
    s.received_on,
    s.amount,
    public.spend_by_deadline(o.spend_by_from, o.spend_by_months, s.received_on, o.spend_by_start,
        CASE
            WHEN ((o.spend_by_from = 'final-instalment'::text) AND (b.received >= COALESCE(NULLIF(b.invoiced, (0)::numeric), o.base_amount))) THEN ( SELECT max(p.received_on) AS max
               FROM public.receipt_share_positions p
              WHERE (p.obligation_id = s.obligation_id))
            ELSE NULL::date
        END) AS deadline,
    GREATEST((0)::numeric, LEAST(s.amount, ((s.cum_end - b.returned) - b.allocated))) AS unallocated,
    GREATEST((0)::numeric, LEAST(s.amount, ((s.cum_end - b.returned) - b.spent))) AS unspent,
    GREATEST((0)::numeric, LEAST(s.amount, (b.returned - (s.cum_end - s.amount)))) AS returned
   FROM ((public.receipt_share_positions s
     JOIN public.obligations o ON ((o.id = s.obligation_id)))
     JOIN public.obligation_ledger_totals b ON ((b.obligation_id = s.obligation_id)));

-- Name: receipt_share_deadlines; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.receipt_share_deadlines (
    entry_id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    receipt_id bigint NOT NULL,
    received_on date NOT NULL,
    amount numeric(14,2) NOT NULL,
    deadline date,
    unallocated numeric NOT NULL,
    unspent numeric NOT NULL,
    returned numeric NOT NULL,
    agreement_id bigint NOT NULL,
    purpose_code text NOT NULL,
    service_area text NOT NULL,
    agreement_key text NOT NULL
)
WITH (autovacuum_vacuum_scale_factor='0.02', autovacuum_vacuum_insert_scale_factor='0.02');

-- Name: receipt_share_deadlines_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.receipt_share_deadlines_computed AS
 SELECT s.entry_id,
    s.obligation_id,
    s.receipt_id,
    s.received_on,
    s.amount,
    s.deadline,
    s.unallocated,
    s.unspent,
    s.returned,
    o.agreement_id,
    o.purpose_code,
    o.service_area,
    upper(a.reference) AS agreement_key
   FROM ((public.receipt_share_balances s
     JOIN public.obligations o ON ((o.id = s.obligation_id)))
     JOIN public.agreements a ON ((a.id = o.agreement_id)));

-- Name: receipt_share_positions_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.receipt_share_positions_computed AS
 SELECT e.id AS entry_id,
    e.obligation_id,
    e.receipt_id,
    e.entry_date AS received_on,
    e.amount,
    sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum_end
   FROM public.ledger_effective e
  WHERE (e.kind = 'receipt'::text);

-- Name: derived_totals_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.derived_totals_drift AS
 SELECT 'obligation_ledger_totals'::text AS derived,
    COALESCE(k.obligation_id, c.obligation_id) AS id
   FROM (public.obligation_ledger_totals k
     FULL JOIN public.obligation_ledger_totals_computed c ON ((c.obligation_id = k.obligation_id)))
  WHERE (((((((k.invoiced IS DISTINCT FROM c.invoiced) OR (k.received IS DISTINCT FROM c.received)) OR (k.allocated IS DISTINCT FROM c.allocated)) OR (k.spent IS DISTINCT FROM c.spent)) OR (k.returned IS DISTINCT FROM c.returned)) OR (k.interest_paid IS DISTINCT FROM c.interest_paid)) OR (k.first_received_on IS DISTINCT FROM c.first_received_on))
UNION ALL
 SELECT 'receipt_share_positions'::text AS derived,
    COALESCE(k.entry_id, c.entry_id) AS id
   FROM (public.receipt_share_positions k
     FULL JOIN public.receipt_share_positions_computed c ON ((c.entry_id = k.entry_id)))
  WHERE (((((k.obligation_id IS DISTINCT FROM c.obligation_id) OR (k.receipt_id IS DISTINCT FROM c.receipt_id)) OR (k.received_on IS DISTINCT FROM c.received_on)) OR (k.amount IS DISTINCT FROM c.amount)) OR (k.cum_end IS DISTINCT FROM c.cum_end))
UNION ALL
 SELECT 'obligation_event_dates'::text AS derived,
    COALESCE(k.obligation_id, c.obligation_id) AS id
   FROM (public.obligation_event_dates k
     FULL JOIN public.obligation_event_dates_computed c ON ((c.obligation_id = k.obligation_id)))
  WHERE (((k.trigger_met_on IS DISTINCT FROM c.trigger_met_on) OR (k.delivered_on IS DISTINCT FROM c.delivered_on)) OR (k.discharged_on IS DISTINCT FROM c.discharged_on))
UNION ALL
 SELECT 'home_event_dates'::text AS derived,
    COALESCE(k.home_id, c.home_id) AS id
   FROM (public.home_event_dates k
     FULL JOIN public.home_event_dates_computed c ON ((c.home_id = k.home_id)))
  WHERE ((((((((k.started_on IS DISTINCT FROM c.started_on) OR (k.completed_on IS DISTINCT FROM c.completed_on)) OR (k.transferred_on IS DISTINCT FROM c.transferred_on)) OR (k.occupied_on IS DISTINCT FROM c.occupied_on)) OR (k.exit_route IS DISTINCT FROM c.exit_route)) OR (k.exited_on IS DISTINCT FROM c.exited_on)) OR (k.changed_tenure IS DISTINCT FROM c.changed_tenure)) OR (k.transferred_to IS DISTINCT FROM c.transferred_to))
UNION ALL
 SELECT 'obligation_states'::text AS derived,
    COALESCE(k.obligation_id, c.obligation_id) AS id
   FROM (public.obligation_states k
     FULL JOIN public.obligation_status c ON ((c.obligation_id = k.obligation_id)))
  WHERE ((k.status IS DISTINCT FROM c.status) OR (k.trigger_met_on IS DISTINCT FROM c.trigger_met_on))
UNION ALL
 SELECT 'project_ledger_totals'::text AS derived,
    COALESCE(k.project_id, c.project_id) AS id
   FROM (public.project_ledger_totals k
     FULL JOIN public.project_ledger_totals_computed c ON ((c.project_id = k.project_id)))
  WHERE ((COALESCE(k.allocated, (0)::numeric) IS DISTINCT FROM COALESCE(c.allocated, (0)::numeric)) OR (COALESCE(k.spent, (0)::numeric) IS DISTINCT FROM COALESCE(c.spent, (0)::numeric)))
UNION ALL
 SELECT 'receipt_share_deadlines'::text AS derived,
    COALESCE(k.entry_id, c.entry_id) AS id
   FROM (public.receipt_share_deadlines k
     FULL JOIN public.receipt_share_deadlines_computed c ON ((c.entry_id = k.entry_id)))
  WHERE ((((((((((((k.obligation_id IS DISTINCT FROM c.obligation_id) OR (k.receipt_id IS DISTINCT FROM c.receipt_id)) OR (k.received_on IS DISTINCT FROM c.received_on)) OR (k.amount IS DISTINCT FROM c.amount)) OR (k.deadline IS DISTINCT FROM c.deadline)) OR (k.unallocated IS DISTINCT FROM c.unallocated)) OR (k.unspent IS DISTINCT FROM c.unspent)) OR (k.returned IS DISTINCT FROM c.returned)) OR (k.agreement_id IS DISTINCT FROM c.agreement_id)) OR (k.purpose_code IS DISTINCT FROM c.purpose_code)) OR (k.service_area IS DISTINCT FROM c.service_area)) OR (k.agreement_key IS DISTINCT FROM c.agreement_key))
UNION ALL
 SELECT 'obligation_project_totals'::text AS derived,
    COALESCE(k.obligation_id, c.obligation_id) AS id
   FROM (public.obligation_project_totals k
     FULL JOIN public.obligation_project_totals_computed c ON (((c.obligation_id = k.obligation_id) AND (c.project_id = k.project_id))))
  WHERE ((COALESCE(k.allocated, (0)::numeric) IS DISTINCT FROM COALESCE(c.allocated, (0)::numeric)) OR (COALESCE(k.spent, (0)::numeric) IS DISTINCT FROM COALESCE(c.spent, (0)::numeric)));

-- Name: developer_agreement_types; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.developer_agreement_types (
    code text NOT NULL,
    name text NOT NULL,
    start_date date,
    end_date date,
    CONSTRAINT developer_agreement_types_code_check CHECK ((code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT developer_agreement_types_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: organisations; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.organisations (
    id bigint NOT NULL,
    name text NOT NULL,
    company_number text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisations_company_number_check CHECK ((company_number ~ '^([A-Z0-9]{8})?$'::text)),
    CONSTRAINT organisations_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: developer_insolvency; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.developer_insolvency AS
 SELECT a.id AS agreement_id,
    org.name AS developer,
    org.company_number,
    cs.status,
    cs.status_detail,
    cs.checked_at
   FROM (((public.agreements a
     JOIN public.agreement_parties ap ON (((ap.agreement_id = a.id) AND (ap.party_role = 'developer'::text))))
     JOIN public.organisations org ON ((org.id = ap.organisation_id)))
     JOIN public.company_statuses cs ON ((cs.company_number = org.company_number)))
  WHERE ((cs.status = ANY (ARRAY['dissolved'::text, 'liquidation'::text, 'administration'::text, 'receivership'::text, 'insolvency-proceedings'::text])) AND (a.archived_at IS NULL) AND (a.status <> ALL (ARRAY['discharged'::text, 'superseded'::text])) AND (EXISTS ( SELECT 1
           FROM ((public.obligations o
             JOIN public.obligation_status s ON ((s.obligation_id = o.id)))
             LEFT JOIN public.obligation_agreed_homes ag ON ((ag.obligation_id = o.id)))
          WHERE ((o.agreement_id = a.id) AND (o.archived_at IS NULL) AND (s.status <> 'discharged'::text) AND (((o.kind = ANY (ARRAY['financial'::text, 'monitoring-fee'::text])) AND (s.status = ANY (ARRAY['pending'::text, 'triggered'::text, 'invoiced'::text, 'part-paid'::text]))) OR ((o.kind = 'affordable-housing'::text) AND (COALESCE(ag.agreed, 0) > ( SELECT count(*) AS count
                   FROM (public.homes h
                     JOIN public.home_event_dates d ON ((d.home_id = h.id)))
                  WHERE ((h.obligation_id = o.id) AND (h.archived_at IS NULL) AND (d.transferred_on IS NOT NULL))))))))));

-- Name: development_home_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.development_home_totals (
    development_id bigint NOT NULL,
    tenure text NOT NULL,
    exit_route text NOT NULL,
    completed_fy integer,
    exited_fy integer,
    transferred boolean NOT NULL,
    affordable_tenure boolean NOT NULL,
    homes integer NOT NULL
);

-- Name: development_home_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.development_home_totals_computed AS
 SELECT h.development_id,
    h.tenure,
    COALESCE(d.exit_route, ''::text) AS exit_route,
    (EXTRACT(year FROM (d.completed_on - '3 mons'::interval)))::integer AS completed_fy,
    (EXTRACT(year FROM (d.exited_on - '3 mons'::interval)))::integer AS exited_fy,
    (d.transferred_on IS NOT NULL) AS transferred,
    (COALESCE(d.changed_tenure, h.tenure) <> 'market'::text) AS affordable_tenure,
    (count(*))::integer AS homes
   FROM (public.homes h
     LEFT JOIN public.home_event_dates d ON ((d.home_id = h.id)))
  WHERE (h.archived_at IS NULL)
  GROUP BY h.development_id, h.tenure, COALESCE(d.exit_route, ''::text), ((EXTRACT(year FROM (d.completed_on - '3 mons'::interval)))::integer), ((EXTRACT(year FROM (d.exited_on - '3 mons'::interval)))::integer), (d.transferred_on IS NOT NULL), (COALESCE(d.changed_tenure, h.tenure) <> 'market'::text);

-- Name: developments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.developments (
    id bigint NOT NULL,
    name text NOT NULL,
    address text DEFAULT ''::text NOT NULL,
    postcode text DEFAULT ''::text NOT NULL,
    ward text DEFAULT ''::text NOT NULL,
    easting integer,
    northing integer,
    latitude numeric(8,6),
    longitude numeric(9,6),
    homes_proposed integer,
    notes text DEFAULT ''::text NOT NULL,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    import_ref text,
    CONSTRAINT developments_easting_check CHECK (((easting >= 0) AND (easting <= 700000))),
    CONSTRAINT developments_homes_proposed_check CHECK ((homes_proposed >= 0)),
    CONSTRAINT developments_latitude_check CHECK (((latitude >= (49)::numeric) AND (latitude <= (61)::numeric))),
    CONSTRAINT developments_longitude_check CHECK (((longitude >= ('-9'::integer)::numeric) AND (longitude <= (2)::numeric))),
    CONSTRAINT developments_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT developments_northing_check CHECK (((northing >= 0) AND (northing <= 1300000)))
);

-- Name: postcodes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.postcodes (
    postcode text NOT NULL,
    pcds text NOT NULL,
    latitude numeric(8,6) NOT NULL,
    longitude numeric(9,6) NOT NULL,
    ward_code text DEFAULT ''::text NOT NULL,
    parish_code text DEFAULT ''::text NOT NULL,
    lad_code text DEFAULT ''::text NOT NULL,
    CONSTRAINT postcodes_latitude_check CHECK (((latitude >= (49)::numeric) AND (latitude <= (61)::numeric))),
    CONSTRAINT postcodes_longitude_check CHECK (((longitude >= ('-9'::integer)::numeric) AND (longitude <= (2)::numeric))),
    CONSTRAINT postcodes_pcds_check CHECK ((btrim(pcds) <> ''::text)),
    CONSTRAINT postcodes_postcode_check CHECK ((postcode ~ '^[A-Z0-9]{5,7}$'::text))
);

-- Name: development_places; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.development_places AS
 SELECT d.id AS development_id,
    (COALESCE(d.latitude, pc.latitude))::double precision AS latitude,
    (COALESCE(d.longitude, pc.longitude))::double precision AS longitude,
    ((d.latitude IS NULL) AND (pc.latitude IS NOT NULL)) AS located_by_postcode,
    COALESCE(NULLIF(btrim(d.ward), ''::text), w.name, ''::text) AS ward,
    COALESCE(p.name, ''::text) AS parish
   FROM (((public.developments d
     LEFT JOIN public.postcodes pc ON ((pc.postcode = upper(replace(d.postcode, ' '::text, ''::text)))))
     LEFT JOIN public.areas w ON (((w.kind = 'ward'::text) AND (w.code = pc.ward_code))))
     LEFT JOIN public.areas p ON (((p.kind = 'parish'::text) AND (p.code = pc.parish_code))));

-- Name: developments_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.developments ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.developments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: document_blob_chunks; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.document_blob_chunks (
    sha256 bytea NOT NULL,
    seq integer NOT NULL,
    data bytea NOT NULL,
    CONSTRAINT document_blob_chunks_data_check CHECK (((length(data) >= 1) AND (length(data) <= 1048576))),
    CONSTRAINT document_blob_chunks_seq_check CHECK ((seq >= 0))
);

-- Name: document_blobs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.document_blobs (
    sha256 bytea NOT NULL,
    size bigint NOT NULL,
    chunks integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    stored_in text DEFAULT 'postgres'::text NOT NULL,
    CONSTRAINT document_blobs_chunks_check CHECK ((((stored_in = 'postgres'::text) = (chunks > 0)) AND (chunks >= 0))),
    CONSTRAINT document_blobs_sha256_check CHECK ((length(sha256) = 32)),
    CONSTRAINT document_blobs_size_check CHECK ((size > 0)),
    CONSTRAINT document_blobs_stored_in_check CHECK ((stored_in = ANY (ARRAY['postgres'::text, 's3'::text])))
);

-- Name: document_texts; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.document_texts (
    sha256 bytea NOT NULL,
    body text NOT NULL,
    tsv tsvector NOT NULL
);

-- Name: document_versions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.document_versions (
    id bigint NOT NULL,
    document_id bigint NOT NULL,
    version_no integer NOT NULL,
    sha256 bytea NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    uploaded_by bigint,
    uploaded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT document_versions_content_type_check CHECK ((content_type <> ''::text)),
    CONSTRAINT document_versions_file_name_check CHECK (((btrim(file_name) <> ''::text) AND (length(file_name) <= 255))),
    CONSTRAINT document_versions_size_check CHECK ((size > 0)),
    CONSTRAINT document_versions_version_no_check CHECK ((version_no > 0))
);

-- Name: document_versions_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.document_versions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.document_versions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: documents; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.documents (
    id bigint NOT NULL,
    agreement_id bigint,
    obligation_id bigint,
    ledger_entry_id bigint,
    obligation_event_id bigint,
    home_id bigint,
    home_event_id bigint,
    project_id bigint,
    title text NOT NULL,
    public_version_id bigint,
    archived_at timestamp with time zone,
    archived_by bigint,
    archive_reason text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT documents_check CHECK ((num_nonnulls(agreement_id, obligation_id, ledger_entry_id, obligation_event_id, home_id, home_event_id, project_id) = 1)),
    CONSTRAINT documents_check1 CHECK (((public_version_id IS NULL) OR (agreement_id IS NOT NULL))),
    CONSTRAINT documents_check2 CHECK (((archived_at IS NULL) OR ((btrim(archive_reason) <> ''::text) AND (public_version_id IS NULL)))),
    CONSTRAINT documents_title_check CHECK (((btrim(title) <> ''::text) AND (length(title) <= 200)))
);

-- Name: documents_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.documents ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.documents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: goose_db_version; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.goose_db_version (
    id integer NOT NULL,
    version_id bigint NOT NULL,
    is_applied boolean NOT NULL,
    tstamp timestamp without time zone DEFAULT now() NOT NULL
);

-- Name: goose_db_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.goose_db_version ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.goose_db_version_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: home_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.home_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.home_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: home_state; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.home_state AS
 SELECT h.id AS home_id,
    d.started_on,
    d.completed_on,
    d.transferred_on,
    d.occupied_on,
    d.exit_route,
    d.exited_on,
    COALESCE(d.changed_tenure, h.tenure) AS current_tenure,
    COALESCE(d.transferred_to, h.registered_provider_id) AS current_provider_id,
    public.home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on) AS state
   FROM (public.homes h
     LEFT JOIN public.home_event_dates d ON ((d.home_id = h.id)));

-- Name: registered_providers; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.registered_providers (
    id bigint NOT NULL,
    name text NOT NULL,
    rsh_number text DEFAULT ''::text NOT NULL,
    contact_name text DEFAULT ''::text NOT NULL,
    contact_email text DEFAULT ''::text NOT NULL,
    contact_phone text DEFAULT ''::text NOT NULL,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    provider_type text DEFAULT 'private-registered-provider'::text NOT NULL,
    company_number text DEFAULT ''::text NOT NULL,
    CONSTRAINT registered_providers_company_number_check CHECK ((company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{5}R)?$'::text)),
    CONSTRAINT registered_providers_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT registered_providers_provider_type_check CHECK ((provider_type = ANY (ARRAY['local-authority'::text, 'private-registered-provider'::text, 'other'::text]))),
    CONSTRAINT registered_providers_rsh_number_check CHECK ((rsh_number ~ '^([A-Z0-9]{2,10})?$'::text))
);

-- Name: tenure_products; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.tenure_products (
    code text NOT NULL,
    label text NOT NULL,
    category text NOT NULL,
    staircasing boolean DEFAULT false NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    sort_order integer NOT NULL,
    built_in boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenure_products_category_check CHECK ((category = ANY (ARRAY['rent'::text, 'ownership'::text, 'market'::text]))),
    CONSTRAINT tenure_products_code_check CHECK ((code ~ '^[a-z][a-z0-9-]{1,40}$'::text)),
    CONSTRAINT tenure_products_label_check CHECK ((btrim(label) <> ''::text))
);

-- Name: home_list_keys_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.home_list_keys_drift AS
 SELECT h.id
   FROM ((((public.homes h
     JOIN public.home_state st ON ((st.home_id = h.id)))
     JOIN public.tenure_products tp ON ((tp.code = st.current_tenure)))
     LEFT JOIN public.registered_providers p ON ((p.id = st.current_provider_id)))
     LEFT JOIN public.developments d ON ((d.id = h.development_id)))
  WHERE ((((((h.list_tenure IS DISTINCT FROM st.current_tenure) OR (h.list_tenure_order IS DISTINCT FROM tp.sort_order)) OR (h.list_state IS DISTINCT FROM st.state)) OR (h.list_provider_id IS DISTINCT FROM st.current_provider_id)) OR (h.list_provider_sort IS DISTINCT FROM lower(p.name))) OR (h.development_sort IS DISTINCT FROM lower(d.name)));

-- Name: homes_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.homes ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.homes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: housing_verifications; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.housing_verifications (
    id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    verified_by bigint NOT NULL,
    verified_at timestamp with time zone DEFAULT now() NOT NULL,
    comment text DEFAULT ''::text NOT NULL
);

-- Name: housing_verifications_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.housing_verifications ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.housing_verifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: ifs_publication_files; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.ifs_publication_files (
    publication_id bigint NOT NULL,
    name text NOT NULL,
    content_type text NOT NULL,
    data bytea NOT NULL,
    CONSTRAINT ifs_publication_files_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9.-]*$'::text))
);

-- Name: ifs_publications; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.ifs_publications (
    id bigint NOT NULL,
    year integer NOT NULL,
    published_at timestamp with time zone DEFAULT now() NOT NULL,
    published_by bigint NOT NULL,
    checksum text NOT NULL,
    data_cutoff timestamp with time zone NOT NULL,
    figures jsonb NOT NULL,
    CONSTRAINT ifs_publications_checksum_check CHECK ((checksum ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT ifs_publications_year_check CHECK (((year >= 1990) AND (year <= 2200)))
);

-- Name: ifs_publications_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.ifs_publications ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ifs_publications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: ifs_year_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.ifs_year_totals (
    obligation_id bigint NOT NULL,
    project_id bigint NOT NULL,
    fy integer NOT NULL,
    decided_fy integer NOT NULL,
    entries integer NOT NULL,
    received bigint NOT NULL,
    spent bigint NOT NULL,
    returned bigint NOT NULL,
    interest bigint NOT NULL,
    invoiced bigint NOT NULL,
    transferred bigint NOT NULL,
    allocated bigint NOT NULL
);

-- Name: projects; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.projects (
    id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    service_area text DEFAULT ''::text NOT NULL,
    purpose_code text NOT NULL,
    expected_spend_date date,
    status text DEFAULT 'proposed'::text NOT NULL,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    repays_borrowing boolean DEFAULT false NOT NULL,
    decision_date date,
    decision_maker text,
    decision_by text DEFAULT ''::text NOT NULL,
    decision_reference text DEFAULT ''::text NOT NULL,
    CONSTRAINT projects_decision_maker_check CHECK ((decision_maker = ANY (ARRAY['committee'::text, 'cabinet-member'::text, 'delegated-officer'::text, 'not-recorded'::text]))),
    CONSTRAINT projects_decision_reference CHECK (((decision_maker IS NULL) OR (decision_maker = 'not-recorded'::text) OR (btrim(decision_reference) <> ''::text))),
    CONSTRAINT projects_decision_whole CHECK (((decision_date IS NULL) = (decision_maker IS NULL))),
    CONSTRAINT projects_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT projects_status_check CHECK ((status = ANY (ARRAY['proposed'::text, 'approved'::text, 'in-progress'::text, 'completed'::text, 'cancelled'::text])))
);

-- Name: ifs_year_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.ifs_year_totals_computed AS
 SELECT e.obligation_id,
    COALESCE(e.project_id, (0)::bigint) AS project_id,
    (EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer AS fy,
        CASE
            WHEN (e.kind = ANY (ARRAY['allocation'::text, 'deallocation'::text])) THEN COALESCE((EXTRACT(year FROM (public.allocation_decided_on(e.entry_date, e.decision_evidence, pr.decision_date) - '3 mons'::interval)))::integer, 9999)
            ELSE (EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer
        END AS decided_fy,
    (count(*))::integer AS entries,
    COALESCE(sum(((e.amount * (100)::numeric))::bigint) FILTER (WHERE (e.kind = 'receipt'::text)), (0)::numeric) AS received,
    COALESCE(sum(((e.amount * (100)::numeric))::bigint) FILTER (WHERE (e.kind = 'spend'::text)), (0)::numeric) AS spent,
    COALESCE(sum(((e.amount * (100)::numeric))::bigint) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS returned,
    COALESCE(sum(((e.interest * (100)::numeric))::bigint) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS interest,
    COALESCE(sum(((e.amount * (100)::numeric))::bigint) FILTER (WHERE (e.kind = 'invoice'::text)), (0)::numeric) AS invoiced,
    COALESCE(sum(((e.amount * (100)::numeric))::bigint) FILTER (WHERE ((e.kind = 'spend'::text) AND (e.transfer_to <> ''::text))), (0)::numeric) AS transferred,
    COALESCE(sum(
        CASE e.kind
            WHEN 'allocation'::text THEN ((e.amount * (100)::numeric))::bigint
            WHEN 'deallocation'::text THEN (- ((e.amount * (100)::numeric))::bigint)
            ELSE NULL::bigint
        END), (0)::numeric) AS allocated
   FROM (public.ledger_entries e
     LEFT JOIN public.projects pr ON ((pr.id = e.project_id)))
  WHERE ((e.kind <> 'reversal'::text) AND (NOT (EXISTS ( SELECT 1
           FROM public.ledger_entries r
          WHERE (r.reverses_id = e.id)))))
  GROUP BY e.obligation_id, COALESCE(e.project_id, (0)::bigint), ((EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer),
        CASE
            WHEN (e.kind = ANY (ARRAY['allocation'::text, 'deallocation'::text])) THEN COALESCE((EXTRACT(year FROM (public.allocation_decided_on(e.entry_date, e.decision_evidence, pr.decision_date) - '3 mons'::interval)))::integer, 9999)
            ELSE (EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer
        END;

-- Name: ifs_year_totals_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.ifs_year_totals_drift AS
 SELECT COALESCE(k.obligation_id, c.obligation_id) AS obligation_id,
    COALESCE(k.project_id, c.project_id) AS project_id,
    COALESCE(k.fy, c.fy) AS fy,
    COALESCE(k.decided_fy, c.decided_fy) AS decided_fy
   FROM (( SELECT ifs_year_totals.obligation_id,
            ifs_year_totals.project_id,
            ifs_year_totals.fy,
            ifs_year_totals.decided_fy,
            ifs_year_totals.entries,
            ifs_year_totals.received,
            ifs_year_totals.spent,
            ifs_year_totals.returned,
            ifs_year_totals.interest,
            ifs_year_totals.invoiced,
            ifs_year_totals.transferred,
            ifs_year_totals.allocated
           FROM public.ifs_year_totals
          WHERE ((ifs_year_totals.entries <> 0) OR (ifs_year_totals.received <> 0) OR (ifs_year_totals.spent <> 0) OR (ifs_year_totals.returned <> 0) OR (ifs_year_totals.interest <> 0) OR (ifs_year_totals.invoiced <> 0) OR (ifs_year_totals.transferred <> 0) OR (ifs_year_totals.allocated <> 0))) k
     FULL JOIN public.ifs_year_totals_computed c ON (((c.obligation_id = k.obligation_id) AND (c.project_id = k.project_id) AND (c.fy = k.fy) AND (c.decided_fy = k.decided_fy))))
  WHERE ((((((((k.entries IS DISTINCT FROM c.entries) OR ((k.received)::numeric IS DISTINCT FROM c.received)) OR ((k.spent)::numeric IS DISTINCT FROM c.spent)) OR ((k.returned)::numeric IS DISTINCT FROM c.returned)) OR ((k.interest)::numeric IS DISTINCT FROM c.interest)) OR ((k.invoiced)::numeric IS DISTINCT FROM c.invoiced)) OR ((k.transferred)::numeric IS DISTINCT FROM c.transferred)) OR ((k.allocated)::numeric IS DISTINCT FROM c.allocated));

-- Name: import_mappings; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.import_mappings (
    id bigint NOT NULL,
    name text NOT NULL,
    mapping jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT import_mappings_name_check CHECK ((btrim(name) <> ''::text))
);

-- Name: import_mappings_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.import_mappings ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.import_mappings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: import_runs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.import_runs (
    id bigint NOT NULL,
    files jsonb NOT NULL,
    created integer DEFAULT 0 NOT NULL,
    updated integer DEFAULT 0 NOT NULL,
    unchanged integer DEFAULT 0 NOT NULL,
    warnings integer DEFAULT 0 NOT NULL,
    actor_id bigint,
    actor_label text NOT NULL,
    ran_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT import_runs_created_check CHECK ((created >= 0)),
    CONSTRAINT import_runs_unchanged_check CHECK ((unchanged >= 0)),
    CONSTRAINT import_runs_updated_check CHECK ((updated >= 0)),
    CONSTRAINT import_runs_warnings_check CHECK ((warnings >= 0))
);

-- Name: import_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.import_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.import_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: import_uploads; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.import_uploads (
    token_hash bytea NOT NULL,
    "position" integer NOT NULL,
    user_id bigint NOT NULL,
    session_hash bytea NOT NULL,
    name text NOT NULL,
    data bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

-- Name: index_series; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.index_series (
    code text NOT NULL,
    name text NOT NULL,
    frequency text DEFAULT 'monthly'::text NOT NULL,
    CONSTRAINT index_series_code_check CHECK ((code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT index_series_frequency_check CHECK ((frequency = ANY (ARRAY['monthly'::text, 'quarterly'::text, 'annual'::text])))
);

-- Name: index_values; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.index_values (
    series_code text NOT NULL,
    period date NOT NULL,
    value numeric(12,4) NOT NULL,
    source text DEFAULT ''::text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    status text DEFAULT 'firm'::text NOT NULL,
    CONSTRAINT index_values_period_check CHECK ((EXTRACT(day FROM period) = (1)::numeric)),
    CONSTRAINT index_values_status_check CHECK ((status = ANY (ARRAY['forecast'::text, 'provisional'::text, 'firm'::text]))),
    CONSTRAINT index_values_value_check CHECK ((value > (0)::numeric))
);

-- Name: infrastructure_list_items; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.infrastructure_list_items (
    id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    purpose_code text NOT NULL,
    added_year integer NOT NULL,
    removed_year integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT infrastructure_list_items_added_year_check CHECK (((added_year >= 2000) AND (added_year <= 2100))),
    CONSTRAINT infrastructure_list_items_check CHECK (((removed_year IS NULL) OR (removed_year > added_year))),
    CONSTRAINT infrastructure_list_items_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT infrastructure_list_items_removed_year_check CHECK (((removed_year >= 2000) AND (removed_year <= 2100)))
);

-- Name: infrastructure_list_items_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.infrastructure_list_items ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.infrastructure_list_items_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: job_runs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.job_runs (
    id bigint NOT NULL,
    job_name text NOT NULL,
    instance text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    outcome text DEFAULT 'running'::text NOT NULL,
    summary text DEFAULT ''::text NOT NULL,
    error text DEFAULT ''::text NOT NULL,
    CONSTRAINT job_runs_check CHECK (((outcome = 'running'::text) = (finished_at IS NULL))),
    CONSTRAINT job_runs_check1 CHECK (((finished_at IS NULL) OR (finished_at >= started_at))),
    CONSTRAINT job_runs_outcome_check CHECK ((outcome = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'abandoned'::text])))
);

-- Name: job_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.job_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.job_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: ledger_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.ledger_entries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ledger_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: ledger_year_totals; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.ledger_year_totals (
    obligation_id bigint NOT NULL,
    fy integer NOT NULL,
    entries integer NOT NULL,
    received numeric NOT NULL,
    spent numeric NOT NULL,
    returned numeric NOT NULL,
    interest numeric NOT NULL
);

-- Name: ledger_year_totals_computed; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.ledger_year_totals_computed AS
 SELECT e.obligation_id,
    (EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer AS fy,
    (count(*))::integer AS entries,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'receipt'::text)), (0)::numeric) AS received,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'spend'::text)), (0)::numeric) AS spent,
    COALESCE(sum(e.amount) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS returned,
    COALESCE(sum(e.interest) FILTER (WHERE (e.kind = 'return'::text)), (0)::numeric) AS interest
   FROM public.ledger_effective e
  WHERE (e.kind = ANY (ARRAY['receipt'::text, 'spend'::text, 'return'::text]))
  GROUP BY e.obligation_id, ((EXTRACT(year FROM (e.entry_date - '3 mons'::interval)))::integer);

-- Name: letter_settings; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.letter_settings (
    id smallint DEFAULT 1 NOT NULL,
    council_name text DEFAULT ''::text NOT NULL,
    address text DEFAULT ''::text NOT NULL,
    signatory_name text DEFAULT ''::text NOT NULL,
    signatory_title text DEFAULT ''::text NOT NULL,
    logo_sha256 bytea,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT letter_settings_id_check CHECK ((id = 1))
);

-- Name: letter_templates; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.letter_templates (
    kind text NOT NULL,
    version_no integer NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT letter_templates_body_check CHECK ((btrim(body) <> ''::text)),
    CONSTRAINT letter_templates_kind_check CHECK ((kind = ANY (ARRAY['invoice'::text, 'monitoring-fee-invoice'::text, 'payment-reminder'::text, 'final-reminder'::text, 'spend-by-notice'::text, 'discharge-confirmation'::text]))),
    CONSTRAINT letter_templates_subject_check CHECK ((btrim(subject) <> ''::text)),
    CONSTRAINT letter_templates_version_no_check CHECK ((version_no > 0))
);

-- Name: letters; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.letters (
    id bigint NOT NULL,
    kind text NOT NULL,
    obligation_id bigint NOT NULL,
    ledger_entry_id bigint,
    obligation_event_id bigint,
    document_id bigint NOT NULL,
    template_version integer NOT NULL,
    letter_date date NOT NULL,
    emailed_to text DEFAULT ''::text NOT NULL,
    issued_by bigint,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT letters_kind_check CHECK ((kind = ANY (ARRAY['invoice'::text, 'monitoring-fee-invoice'::text, 'payment-reminder'::text, 'final-reminder'::text, 'spend-by-notice'::text, 'discharge-confirmation'::text]))),
    CONSTRAINT letters_template_version_check CHECK ((template_version >= 0))
);

-- Name: letters_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.letters ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.letters_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: login_throttle; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.login_throttle (
    email text NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    last_failure_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    client text DEFAULT ''::text NOT NULL,
    CONSTRAINT login_throttle_failures_check CHECK ((failures >= 0))
);

-- Name: mail_outbox; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.mail_outbox (
    id bigint NOT NULL,
    idempotency_key text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_error text DEFAULT ''::text NOT NULL,
    sending_since timestamp with time zone,
    sent_at timestamp with time zone,
    failed_at timestamp with time zone,
    channel text DEFAULT ''::text NOT NULL,
    notify_id uuid,
    notify_status text DEFAULT ''::text NOT NULL,
    notify_checked_at timestamp with time zone,
    list_unsubscribe text DEFAULT ''::text NOT NULL,
    CONSTRAINT mail_outbox_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT mail_outbox_channel_check CHECK ((channel = ANY (ARRAY[''::text, 'smtp'::text, 'notify'::text]))),
    CONSTRAINT mail_outbox_check CHECK (((sent_at IS NULL) OR (failed_at IS NULL))),
    CONSTRAINT mail_outbox_check1 CHECK (((sent_at IS NULL) OR (sending_since IS NULL))),
    CONSTRAINT mail_outbox_notify_id_sent CHECK (((notify_id IS NULL) OR ((channel = 'notify'::text) AND (sent_at IS NOT NULL)))),
    CONSTRAINT mail_outbox_recipient_check CHECK ((recipient ~ '^[^@\s]+@[^@\s]+$'::text)),
    CONSTRAINT mail_outbox_subject_check CHECK ((btrim(subject) <> ''::text))
);

-- Name: mail_outbox_attachments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.mail_outbox_attachments (
    message_id bigint NOT NULL,
    seq smallint NOT NULL,
    document_version_id bigint NOT NULL,
    CONSTRAINT mail_outbox_attachments_seq_check CHECK (((seq >= 0) AND (seq <= 9)))
);

-- Name: mail_outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.mail_outbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.mail_outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: market_occupation_counts_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.market_occupation_counts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.market_occupation_counts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: obligation_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.obligation_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.obligation_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: obligation_variations; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.obligation_variations (
    variation_agreement_id bigint NOT NULL,
    obligation_id bigint NOT NULL,
    change_summary text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT obligation_variations_change_summary_check CHECK ((btrim(change_summary) <> ''::text))
);

-- Name: obligations_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.obligations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.obligations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: organisations_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.organisations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.organisations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: pending_changes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.pending_changes (
    id bigint NOT NULL,
    link_id bigint NOT NULL,
    kind text NOT NULL,
    development_id bigint NOT NULL,
    home_id bigint,
    proposed jsonb NOT NULL,
    holder_name text NOT NULL,
    submitted_at timestamp with time zone DEFAULT now() NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    decided_by bigint,
    decided_at timestamp with time zone,
    reason text DEFAULT ''::text NOT NULL,
    CONSTRAINT pending_changes_check CHECK (((status = 'pending'::text) = (decided_at IS NULL))),
    CONSTRAINT pending_changes_check1 CHECK (((status <> 'rejected'::text) OR (btrim(reason) <> ''::text))),
    CONSTRAINT pending_changes_check2 CHECK (((kind = 'occupation-count'::text) = (home_id IS NULL))),
    CONSTRAINT pending_changes_kind_check CHECK ((kind = ANY (ARRAY['home-details'::text, 'occupation-count'::text, 'provider-confirmation'::text, 'return-exit'::text]))),
    CONSTRAINT pending_changes_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'accepted'::text, 'rejected'::text, 'superseded'::text])))
);

-- Name: pending_changes_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.pending_changes ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.pending_changes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: planning_applications; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.planning_applications (
    id bigint NOT NULL,
    development_id bigint NOT NULL,
    reference text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    decision_date date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT planning_applications_reference_check CHECK ((btrim(reference) <> ''::text))
);

-- Name: planning_applications_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.planning_applications ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.planning_applications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: price_paid_matches; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.price_paid_matches (
    transaction_id text NOT NULL,
    home_id bigint NOT NULL,
    suspicious boolean NOT NULL,
    reason text NOT NULL,
    matched_at timestamp with time zone DEFAULT now() NOT NULL
);

-- Name: price_paid_sales; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.price_paid_sales (
    transaction_id text NOT NULL,
    price bigint NOT NULL,
    sold_on date NOT NULL,
    postcode text NOT NULL,
    property_type text NOT NULL,
    new_build boolean NOT NULL,
    tenure text NOT NULL,
    paon text NOT NULL,
    saon text NOT NULL,
    street text NOT NULL,
    locality text NOT NULL,
    town text NOT NULL,
    district text NOT NULL,
    county text NOT NULL,
    category text NOT NULL,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT price_paid_sales_price_check CHECK ((price >= 0))
);

-- Name: projects_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.projects ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.projects_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: provider_return_answers; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.provider_return_answers (
    id bigint NOT NULL,
    return_id bigint NOT NULL,
    provider_id bigint NOT NULL,
    home_id bigint NOT NULL,
    answer text NOT NULL,
    exit_route text,
    exited_on date,
    link_id bigint,
    answered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT provider_return_answers_answer_check CHECK ((answer = ANY (ARRAY['affordable'::text, 'exited'::text]))),
    CONSTRAINT provider_return_answers_check CHECK (((answer = 'exited'::text) = ((exit_route IS NOT NULL) AND (exited_on IS NOT NULL)))),
    CONSTRAINT provider_return_answers_exit_route_check CHECK ((exit_route = ANY (ARRAY['right-to-buy'::text, 'right-to-acquire'::text, 'staircased'::text, 'sold'::text, 'demolished'::text, 'converted-to-market'::text, 'other-exit'::text])))
);

-- Name: provider_return_answers_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.provider_return_answers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.provider_return_answers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: provider_return_requests; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.provider_return_requests (
    return_id bigint NOT NULL,
    provider_id bigint NOT NULL,
    link_id bigint,
    homes integer NOT NULL,
    sent_at timestamp with time zone,
    reminders integer DEFAULT 0 NOT NULL,
    last_reminded_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT provider_return_requests_homes_check CHECK ((homes >= 0))
);

-- Name: provider_returns; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.provider_returns (
    id bigint NOT NULL,
    year integer NOT NULL,
    due_on date NOT NULL,
    opened_by bigint,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT provider_returns_year_check CHECK (((year >= 2000) AND (year <= 2100)))
);

-- Name: provider_returns_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.provider_returns ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.provider_returns_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: receipt_shares_paid_early; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.receipt_shares_paid_early AS
 SELECT e.id AS entry_id,
    e.receipt_id,
    e.obligation_id,
    e.entry_date,
    (NOT (EXISTS ( SELECT 1
           FROM public.ledger_effective i
          WHERE ((i.obligation_id = e.obligation_id) AND (i.kind = 'invoice'::text) AND (i.entry_date <= e.entry_date))))) AS not_invoiced,
    ((d.trigger_met_on IS NULL) OR (d.trigger_met_on > e.entry_date)) AS trigger_not_met
   FROM (public.ledger_effective e
     LEFT JOIN public.obligation_event_dates d ON ((d.obligation_id = e.obligation_id)))
  WHERE ((e.kind = 'receipt'::text) AND ((NOT (EXISTS ( SELECT 1
           FROM public.ledger_effective i
          WHERE ((i.obligation_id = e.obligation_id) AND (i.kind = 'invoice'::text) AND (i.entry_date <= e.entry_date))))) OR (d.trigger_met_on IS NULL) OR (d.trigger_met_on > e.entry_date)));

-- Name: receipts; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.receipts (
    id bigint NOT NULL,
    received_on date NOT NULL,
    payer text NOT NULL,
    finance_ref text DEFAULT ''::text NOT NULL,
    total numeric(14,2) NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    import_ref text,
    CONSTRAINT receipts_payer_check CHECK ((btrim(payer) <> ''::text)),
    CONSTRAINT receipts_total_check CHECK ((total > (0)::numeric))
);

-- Name: receipts_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.receipts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.receipts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: registered_providers_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.registered_providers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.registered_providers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: rsh_register; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.rsh_register (
    registration_number text NOT NULL,
    name text NOT NULL,
    designation text DEFAULT ''::text NOT NULL,
    corporate_form text DEFAULT ''::text NOT NULL,
    registered_on date,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rsh_register_registration_number_check CHECK ((registration_number ~ '^[A-Z0-9]{2,10}$'::text))
);

-- Name: scheduler_jobs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.scheduler_jobs (
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    every_seconds integer NOT NULL,
    next_run_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    CONSTRAINT scheduler_jobs_every_seconds_check CHECK ((every_seconds > 0)),
    CONSTRAINT scheduler_jobs_name_check CHECK ((name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text))
);

-- Name: schema_definitions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.schema_definitions (
    only_row boolean DEFAULT true NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT schema_definitions_only_row_check CHECK (only_row)
);

-- Name: security_events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.security_events (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    user_id bigint,
    actor_label text NOT NULL,
    event text NOT NULL,
    email text DEFAULT ''::text NOT NULL,
    summary text DEFAULT ''::text NOT NULL,
    method text DEFAULT ''::text NOT NULL,
    path text DEFAULT ''::text NOT NULL,
    remote_addr text DEFAULT ''::text NOT NULL,
    request_id text DEFAULT ''::text NOT NULL,
    CONSTRAINT security_events_event_check CHECK ((event <> ''::text))
);

-- Name: security_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.security_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.security_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: sessions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.sessions (
    token text NOT NULL,
    data bytea NOT NULL,
    expiry timestamp with time zone NOT NULL,
    user_id bigint,
    signed_in_at timestamp with time zone,
    remote_addr text DEFAULT ''::text NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL
);

-- Name: sso_identities; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.sso_identities (
    issuer text NOT NULL,
    subject text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sso_identities_issuer_check CHECK ((issuer <> ''::text)),
    CONSTRAINT sso_identities_subject_check CHECK ((subject <> ''::text))
);

-- Name: sso_logout_tokens; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.sso_logout_tokens (
    jti text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT sso_logout_tokens_jti_check CHECK (((jti <> ''::text) AND (length(jti) <= 300)))
);

-- Name: sso_role_mappings; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.sso_role_mappings (
    id bigint NOT NULL,
    claim_value text NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sso_role_mappings_claim_value_check CHECK (((btrim(claim_value) = claim_value) AND (claim_value <> ''::text) AND (length(claim_value) <= 300))),
    CONSTRAINT sso_role_mappings_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'officer'::text, 'housing'::text, 'manager'::text, 'viewer'::text])))
);

-- Name: sso_role_mappings_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.sso_role_mappings ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sso_role_mappings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: sso_sessions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.sso_sessions (
    issuer text NOT NULL,
    sid text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sso_sessions_sid_check CHECK ((sid <> ''::text))
);

-- Name: subscription_unsubscribe_tokens; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.subscription_unsubscribe_tokens (
    token_hash bytea NOT NULL,
    subscription_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT subscription_unsubscribe_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

-- Name: subscriptions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.subscriptions (
    id bigint NOT NULL,
    email text NOT NULL,
    development_id bigint,
    ward text,
    confirm_token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    confirmed_at timestamp with time zone,
    unsubscribed_at timestamp with time zone,
    digest_from timestamp with time zone,
    CONSTRAINT subscriptions_check CHECK (((development_id IS NULL) <> (ward IS NULL))),
    CONSTRAINT subscriptions_check1 CHECK (((confirmed_at IS NULL) OR (confirmed_at >= created_at))),
    CONSTRAINT subscriptions_check2 CHECK (((confirmed_at IS NULL) = (digest_from IS NULL))),
    CONSTRAINT subscriptions_confirm_token_hash_check CHECK ((length(confirm_token_hash) = 32)),
    CONSTRAINT subscriptions_email_check CHECK (((email = lower(btrim(email))) AND (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text))),
    CONSTRAINT subscriptions_ward_check CHECK ((btrim(ward) <> ''::text))
);

-- Name: subscriptions_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.subscriptions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.subscriptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: suspense_entries; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.suspense_entries (
    id bigint NOT NULL,
    receipt_id bigint NOT NULL,
    kind text NOT NULL,
    entry_date date NOT NULL,
    amount numeric(14,2) NOT NULL,
    obligation_id bigint,
    ledger_entry_id bigint,
    reference text DEFAULT ''::text NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    recorded_by bigint,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT suspense_entries_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT suspense_entries_check CHECK (((kind = 'refund'::text) OR (obligation_id IS NOT NULL))),
    CONSTRAINT suspense_entries_check1 CHECK (((kind = 'held'::text) OR (btrim(reason) <> ''::text))),
    CONSTRAINT suspense_entries_check2 CHECK (((kind = 'assignment'::text) = (ledger_entry_id IS NOT NULL))),
    CONSTRAINT suspense_entries_kind_check CHECK ((kind = ANY (ARRAY['held'::text, 'refund'::text, 'assignment'::text])))
);

-- Name: suspense_balances; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.suspense_balances AS
 SELECT s.receipt_id,
    min(s.entry_date) FILTER (WHERE (s.kind = 'held'::text)) AS held_since,
    COALESCE(sum(s.amount) FILTER (WHERE (s.kind = 'held'::text)), (0)::numeric) AS held,
    COALESCE(sum(s.amount) FILTER (WHERE (s.kind = 'refund'::text)), (0)::numeric) AS refunded,
    COALESCE(sum(s.amount) FILTER (WHERE (s.kind = 'assignment'::text)), (0)::numeric) AS assigned,
    COALESCE(sum(
        CASE s.kind
            WHEN 'held'::text THEN s.amount
            ELSE (- s.amount)
        END), (0)::numeric) AS balance
   FROM public.suspense_entries s
  GROUP BY s.receipt_id;

-- Name: suspense_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.suspense_entries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.suspense_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: suspicious_sales; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.suspicious_sales AS
 SELECT m.transaction_id,
    m.home_id,
    h.obligation_id,
    s.price,
    s.sold_on,
    m.reason
   FROM ((public.price_paid_matches m
     JOIN public.price_paid_sales s ON ((s.transaction_id = m.transaction_id)))
     JOIN public.homes h ON ((h.id = m.home_id)))
  WHERE (m.suspicious AND (h.obligation_id IS NOT NULL) AND (h.archived_at IS NULL));

-- Name: users; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.users (
    id bigint NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text NOT NULL,
    roles text[] DEFAULT '{}'::text[] NOT NULL,
    must_change_password boolean DEFAULT false NOT NULL,
    disabled_at timestamp with time zone,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    alert_email text DEFAULT 'immediate'::text NOT NULL,
    session_generation integer DEFAULT 1 NOT NULL,
    ward text DEFAULT ''::text NOT NULL,
    CONSTRAINT users_alert_email_check CHECK ((alert_email = ANY (ARRAY['immediate'::text, 'digest'::text, 'none'::text]))),
    CONSTRAINT users_councillor_alone CHECK (((NOT ('councillor'::text = ANY (roles))) OR (roles = ARRAY['councillor'::text]))),
    CONSTRAINT users_email_check CHECK (((email = lower(btrim(email))) AND (email ~~ '%_@_%'::text))),
    CONSTRAINT users_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT users_roles_check CHECK ((roles <@ ARRAY['admin'::text, 'officer'::text, 'housing'::text, 'manager'::text, 'viewer'::text, 'councillor'::text]))
);

-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -

ALTER TABLE public.users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

-- Name: year_totals_drift; Type: VIEW; Schema: public; Owner: -

CREATE VIEW public.year_totals_drift AS
 SELECT 'ledger_year_totals'::text AS derived,
    COALESCE(k.obligation_id, c.obligation_id) AS id
   FROM (( SELECT ledger_year_totals.obligation_id,
            ledger_year_totals.fy,
            ledger_year_totals.entries,
            ledger_year_totals.received,
            ledger_year_totals.spent,
            ledger_year_totals.returned,
            ledger_year_totals.interest
           FROM public.ledger_year_totals
          WHERE ((ledger_year_totals.entries <> 0) OR (ledger_year_totals.received <> (0)::numeric) OR (ledger_year_totals.spent <> (0)::numeric) OR (ledger_year_totals.returned <> (0)::numeric) OR (ledger_year_totals.interest <> (0)::numeric))) k
     FULL JOIN public.ledger_year_totals_computed c ON (((c.obligation_id = k.obligation_id) AND (c.fy = k.fy))))
  WHERE (((((k.entries IS DISTINCT FROM c.entries) OR (k.received IS DISTINCT FROM c.received)) OR (k.spent IS DISTINCT FROM c.spent)) OR (k.returned IS DISTINCT FROM c.returned)) OR (k.interest IS DISTINCT FROM c.interest))
UNION ALL
 SELECT DISTINCT 'development_home_totals'::text AS derived,
    COALESCE(k.development_id, c.development_id) AS id
   FROM (( SELECT development_home_totals.development_id,
            development_home_totals.tenure,
            development_home_totals.exit_route,
            development_home_totals.completed_fy,
            development_home_totals.exited_fy,
            development_home_totals.transferred,
            development_home_totals.affordable_tenure,
            sum(development_home_totals.homes) AS homes
           FROM public.development_home_totals
          GROUP BY development_home_totals.development_id, development_home_totals.tenure, development_home_totals.exit_route, development_home_totals.completed_fy, development_home_totals.exited_fy, development_home_totals.transferred, development_home_totals.affordable_tenure) k
     FULL JOIN public.development_home_totals_computed c ON (((c.development_id = k.development_id) AND (c.tenure = k.tenure) AND (c.exit_route = k.exit_route) AND (COALESCE(c.completed_fy, '-1'::integer) = COALESCE(k.completed_fy, '-1'::integer)) AND (COALESCE(c.exited_fy, '-1'::integer) = COALESCE(k.exited_fy, '-1'::integer)) AND (c.transferred = k.transferred) AND (c.affordable_tenure = k.affordable_tenure))))
  WHERE (k.homes IS DISTINCT FROM c.homes);

-- Name: affordable_mix_lines affordable_mix_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mix_lines
    ADD CONSTRAINT affordable_mix_lines_pkey PRIMARY KEY (obligation_id, tenure, bedrooms);

-- Name: affordable_mixes affordable_mixes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mixes
    ADD CONSTRAINT affordable_mixes_pkey PRIMARY KEY (obligation_id);

-- Name: agreement_applications agreement_applications_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_applications
    ADD CONSTRAINT agreement_applications_pkey PRIMARY KEY (agreement_id, planning_application_id);

-- Name: agreement_parties agreement_parties_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_parties
    ADD CONSTRAINT agreement_parties_pkey PRIMARY KEY (agreement_id, "position");

-- Name: agreements agreements_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreements
    ADD CONSTRAINT agreements_pkey PRIMARY KEY (id);

-- Name: alert_digests alert_digests_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_digests
    ADD CONSTRAINT alert_digests_pkey PRIMARY KEY (user_id, day);

-- Name: alert_recipients alert_recipients_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_recipients
    ADD CONSTRAINT alert_recipients_pkey PRIMARY KEY (alert_id, user_id);

-- Name: alert_rules alert_rules_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_pkey PRIMARY KEY (code);

-- Name: alerts alerts_once; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_once UNIQUE (rule_code, subject_type, subject_id, threshold);

-- Name: alerts alerts_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_pkey PRIMARY KEY (id);

-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

-- Name: api_tokens api_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);

-- Name: areas areas_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.areas
    ADD CONSTRAINT areas_pkey PRIMARY KEY (kind, code);

-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);

-- Name: calendar_feeds calendar_feeds_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.calendar_feeds
    ADD CONSTRAINT calendar_feeds_pkey PRIMARY KEY (id);

-- Name: calendar_feeds calendar_feeds_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.calendar_feeds
    ADD CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash);

-- Name: capability_links capability_links_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.capability_links
    ADD CONSTRAINT capability_links_pkey PRIMARY KEY (id);

-- Name: capability_links capability_links_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.capability_links
    ADD CONSTRAINT capability_links_token_hash_key UNIQUE (token_hash);

-- Name: cil_base_rates cil_base_rates_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_base_rates
    ADD CONSTRAINT cil_base_rates_pkey PRIMARY KEY (effective_from);

-- Name: cil_charges cil_charges_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_charges
    ADD CONSTRAINT cil_charges_pkey PRIMARY KEY (id);

-- Name: cil_commencements cil_commencements_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_commencements
    ADD CONSTRAINT cil_commencements_pkey PRIMARY KEY (id);

-- Name: cil_demand_contributions cil_demand_contributions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_contributions
    ADD CONSTRAINT cil_demand_contributions_pkey PRIMARY KEY (id);

-- Name: cil_demand_list_keys cil_demand_list_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_list_keys
    ADD CONSTRAINT cil_demand_list_keys_pkey PRIMARY KEY (demand_notice_id);

-- Name: cil_demand_notices cil_demand_notices_import_ref_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_import_ref_key UNIQUE (import_ref);

-- Name: cil_demand_notices cil_demand_notices_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_pkey PRIMARY KEY (id);

-- Name: cil_demand_notices cil_demand_notices_reference_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_reference_key UNIQUE (reference);

-- Name: cil_demand_notices cil_demand_notices_supersedes_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_supersedes_id_key UNIQUE (supersedes_id);

-- Name: cil_development_zones cil_development_zones_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_development_zones
    ADD CONSTRAINT cil_development_zones_pkey PRIMARY KEY (cil_development_id, schedule_id);

-- Name: cil_developments cil_developments_import_ref_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_developments
    ADD CONSTRAINT cil_developments_import_ref_key UNIQUE (import_ref);

-- Name: cil_developments cil_developments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_developments
    ADD CONSTRAINT cil_developments_pkey PRIMARY KEY (id);

-- Name: cil_developments cil_developments_reference_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_developments
    ADD CONSTRAINT cil_developments_reference_key UNIQUE (reference);

-- Name: cil_floor_areas cil_floor_areas_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_floor_areas
    ADD CONSTRAINT cil_floor_areas_pkey PRIMARY KEY (id);

-- Name: cil_instalment_paid cil_instalment_paid_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_paid
    ADD CONSTRAINT cil_instalment_paid_pkey PRIMARY KEY (instalment_id);

-- Name: cil_instalment_policies cil_instalment_policies_charging_authority_takes_effect_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_policies
    ADD CONSTRAINT cil_instalment_policies_charging_authority_takes_effect_key UNIQUE (charging_authority, takes_effect);

-- Name: cil_instalment_policies cil_instalment_policies_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_policies
    ADD CONSTRAINT cil_instalment_policies_pkey PRIMARY KEY (id);

-- Name: cil_instalment_rules cil_instalment_rules_policy_id_up_to_seq_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_rules
    ADD CONSTRAINT cil_instalment_rules_policy_id_up_to_seq_key UNIQUE NULLS NOT DISTINCT (policy_id, up_to, seq);

-- Name: cil_instalments cil_instalments_demand_notice_id_seq_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalments
    ADD CONSTRAINT cil_instalments_demand_notice_id_seq_key UNIQUE (demand_notice_id, seq);

-- Name: cil_instalments cil_instalments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalments
    ADD CONSTRAINT cil_instalments_pkey PRIMARY KEY (id);

-- Name: cil_ledger_entries cil_ledger_entries_import_ref_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_import_ref_key UNIQUE (import_ref);

-- Name: cil_ledger_entries cil_ledger_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_pkey PRIMARY KEY (id);

-- Name: cil_ledger_entries cil_ledger_entries_reverses_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_reverses_id_key UNIQUE (reverses_id);

-- Name: cil_liability_notices cil_liability_notices_development_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_development_key UNIQUE (id, cil_development_id, charging_authority);

-- Name: cil_liability_notices cil_liability_notices_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_pkey PRIMARY KEY (id);

-- Name: cil_liability_notices cil_liability_notices_supersedes_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_supersedes_id_key UNIQUE (supersedes_id);

-- Name: cil_parish_dwellings cil_parish_dwellings_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_dwellings
    ADD CONSTRAINT cil_parish_dwellings_pkey PRIMARY KEY (parish_code, financial_year);

-- Name: cil_parish_half_dues cil_parish_half_dues_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_half_dues
    ADD CONSTRAINT cil_parish_half_dues_pkey PRIMARY KEY (parish_code, period_start);

-- Name: cil_parish_reports cil_parish_reports_parish_code_financial_year_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_reports
    ADD CONSTRAINT cil_parish_reports_parish_code_financial_year_key UNIQUE (parish_code, financial_year);

-- Name: cil_parish_reports cil_parish_reports_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_reports
    ADD CONSTRAINT cil_parish_reports_pkey PRIMARY KEY (id);

-- Name: cil_parishes cil_parishes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parishes
    ADD CONSTRAINT cil_parishes_pkey PRIMARY KEY (code);

-- Name: cil_parties cil_parties_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parties
    ADD CONSTRAINT cil_parties_pkey PRIMARY KEY (id);

-- Name: cil_pot_totals cil_pot_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_pot_totals
    ADD CONSTRAINT cil_pot_totals_pkey PRIMARY KEY (pot, parish_code);

-- Name: cil_project_totals cil_project_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_project_totals
    ADD CONSTRAINT cil_project_totals_pkey PRIMARY KEY (project_id, pot, parish_code);

-- Name: cil_rates cil_rates_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_rates
    ADD CONSTRAINT cil_rates_pkey PRIMARY KEY (id);

-- Name: cil_rates cil_rates_schedule_id_zone_id_use_code_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_rates
    ADD CONSTRAINT cil_rates_schedule_id_zone_id_use_code_key UNIQUE NULLS NOT DISTINCT (schedule_id, zone_id, use_code);

-- Name: cil_receipt_instalments cil_receipt_instalments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_instalments
    ADD CONSTRAINT cil_receipt_instalments_pkey PRIMARY KEY (receipt_id, instalment_id);

-- Name: cil_receipt_portions cil_receipt_portions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_portions
    ADD CONSTRAINT cil_receipt_portions_pkey PRIMARY KEY (receipt_id, portion);

-- Name: cil_recovery_notices cil_recovery_notices_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_recovery_notices
    ADD CONSTRAINT cil_recovery_notices_pkey PRIMARY KEY (id);

-- Name: cil_reliefs cil_reliefs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_reliefs
    ADD CONSTRAINT cil_reliefs_pkey PRIMARY KEY (id);

-- Name: cil_schedules cil_schedules_council_no_overlap; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_schedules
    ADD CONSTRAINT cil_schedules_council_no_overlap EXCLUDE USING gist (daterange(takes_effect, ends, '[]'::text) WITH &&) WHERE ((charging_authority = 'council'::text));

-- Name: cil_schedules cil_schedules_mayor_no_overlap; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_schedules
    ADD CONSTRAINT cil_schedules_mayor_no_overlap EXCLUDE USING gist (daterange(takes_effect, ends, '[]'::text) WITH &&) WHERE ((charging_authority = 'mayor'::text));

-- Name: cil_schedules cil_schedules_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_schedules
    ADD CONSTRAINT cil_schedules_pkey PRIMARY KEY (id);

-- Name: cil_zones cil_zones_id_schedule_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_zones
    ADD CONSTRAINT cil_zones_id_schedule_key UNIQUE (id, schedule_id);

-- Name: cil_zones cil_zones_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_zones
    ADD CONSTRAINT cil_zones_pkey PRIMARY KEY (id);

-- Name: cil_zones cil_zones_schedule_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_zones
    ADD CONSTRAINT cil_zones_schedule_id_name_key UNIQUE (schedule_id, name);

-- Name: company_statuses company_statuses_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.company_statuses
    ADD CONSTRAINT company_statuses_pkey PRIMARY KEY (company_number);

-- Name: contribution_funding_statuses contribution_funding_statuses_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.contribution_funding_statuses
    ADD CONSTRAINT contribution_funding_statuses_pkey PRIMARY KEY (code);

-- Name: contribution_purposes contribution_purposes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.contribution_purposes
    ADD CONSTRAINT contribution_purposes_pkey PRIMARY KEY (code);

-- Name: data_standard_agreement_types data_standard_agreement_types_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.data_standard_agreement_types
    ADD CONSTRAINT data_standard_agreement_types_pkey PRIMARY KEY (agreement_type);

-- Name: data_standard_entry_kinds data_standard_entry_kinds_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.data_standard_entry_kinds
    ADD CONSTRAINT data_standard_entry_kinds_pkey PRIMARY KEY (kind);

-- Name: data_version data_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.data_version
    ADD CONSTRAINT data_version_pkey PRIMARY KEY (only_row);

-- Name: developer_agreement_types developer_agreement_types_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.developer_agreement_types
    ADD CONSTRAINT developer_agreement_types_pkey PRIMARY KEY (code);

-- Name: developments developments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.developments
    ADD CONSTRAINT developments_pkey PRIMARY KEY (id);

-- Name: document_blob_chunks document_blob_chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_blob_chunks
    ADD CONSTRAINT document_blob_chunks_pkey PRIMARY KEY (sha256, seq);

-- Name: document_blobs document_blobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_blobs
    ADD CONSTRAINT document_blobs_pkey PRIMARY KEY (sha256);

-- Name: document_texts document_texts_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_texts
    ADD CONSTRAINT document_texts_pkey PRIMARY KEY (sha256);

-- Name: document_versions document_versions_document_id_version_no_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_document_id_version_no_key UNIQUE (document_id, version_no);

-- Name: document_versions document_versions_id_document_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_id_document_id_key UNIQUE (id, document_id);

-- Name: document_versions document_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_pkey PRIMARY KEY (id);

-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

-- Name: goose_db_version goose_db_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.goose_db_version
    ADD CONSTRAINT goose_db_version_pkey PRIMARY KEY (id);

-- Name: home_event_dates home_event_dates_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_event_dates
    ADD CONSTRAINT home_event_dates_pkey PRIMARY KEY (home_id);

-- Name: home_events home_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_pkey PRIMARY KEY (id);

-- Name: home_events home_events_reverses_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_reverses_id_key UNIQUE (reverses_id);

-- Name: homes homes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.homes
    ADD CONSTRAINT homes_pkey PRIMARY KEY (id);

-- Name: housing_verifications housing_verifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.housing_verifications
    ADD CONSTRAINT housing_verifications_pkey PRIMARY KEY (id);

-- Name: ifs_publication_files ifs_publication_files_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_publication_files
    ADD CONSTRAINT ifs_publication_files_pkey PRIMARY KEY (publication_id, name);

-- Name: ifs_publications ifs_publications_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_publications
    ADD CONSTRAINT ifs_publications_pkey PRIMARY KEY (id);

-- Name: ifs_year_totals ifs_year_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_year_totals
    ADD CONSTRAINT ifs_year_totals_pkey PRIMARY KEY (obligation_id, project_id, fy, decided_fy);

-- Name: import_mappings import_mappings_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_mappings
    ADD CONSTRAINT import_mappings_pkey PRIMARY KEY (id);

-- Name: import_runs import_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_runs
    ADD CONSTRAINT import_runs_pkey PRIMARY KEY (id);

-- Name: import_uploads import_uploads_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_uploads
    ADD CONSTRAINT import_uploads_pkey PRIMARY KEY (token_hash, "position");

-- Name: index_series index_series_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.index_series
    ADD CONSTRAINT index_series_pkey PRIMARY KEY (code);

-- Name: index_values index_values_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.index_values
    ADD CONSTRAINT index_values_pkey PRIMARY KEY (series_code, period);

-- Name: infrastructure_list_items infrastructure_list_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.infrastructure_list_items
    ADD CONSTRAINT infrastructure_list_items_pkey PRIMARY KEY (id);

-- Name: job_runs job_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.job_runs
    ADD CONSTRAINT job_runs_pkey PRIMARY KEY (id);

-- Name: ledger_entries ledger_entries_amount_plausible; Type: CHECK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE public.ledger_entries
    ADD CONSTRAINT ledger_entries_amount_plausible CHECK ((amount < (1000000000)::numeric)) NOT VALID;

-- Name: ledger_entries ledger_entries_base_plausible; Type: CHECK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE public.ledger_entries
    ADD CONSTRAINT ledger_entries_base_plausible CHECK (((base_amount < (1000000000)::numeric) AND (calculated_amount < (1000000000)::numeric))) NOT VALID;

-- Name: ledger_entries ledger_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (id);

-- Name: ledger_entries ledger_entries_reverses_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_reverses_id_key UNIQUE (reverses_id);

-- Name: ledger_year_totals ledger_year_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_year_totals
    ADD CONSTRAINT ledger_year_totals_pkey PRIMARY KEY (obligation_id, fy);

-- Name: letter_settings letter_settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letter_settings
    ADD CONSTRAINT letter_settings_pkey PRIMARY KEY (id);

-- Name: letter_templates letter_templates_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letter_templates
    ADD CONSTRAINT letter_templates_pkey PRIMARY KEY (kind, version_no);

-- Name: letters letters_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_pkey PRIMARY KEY (id);

-- Name: login_throttle login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (email, client);

-- Name: mail_outbox_attachments mail_outbox_attachments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.mail_outbox_attachments
    ADD CONSTRAINT mail_outbox_attachments_pkey PRIMARY KEY (message_id, seq);

-- Name: mail_outbox mail_outbox_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_idempotency_key_key UNIQUE (idempotency_key);

-- Name: mail_outbox mail_outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (id);

-- Name: market_occupation_counts market_occupation_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.market_occupation_counts
    ADD CONSTRAINT market_occupation_counts_pkey PRIMARY KEY (id);

-- Name: obligation_event_dates obligation_event_dates_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_event_dates
    ADD CONSTRAINT obligation_event_dates_pkey PRIMARY KEY (obligation_id);

-- Name: obligation_events obligation_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_events
    ADD CONSTRAINT obligation_events_pkey PRIMARY KEY (id);

-- Name: obligation_events obligation_events_reverses_id_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_events
    ADD CONSTRAINT obligation_events_reverses_id_key UNIQUE (reverses_id);

-- Name: obligation_ledger_totals obligation_ledger_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_ledger_totals
    ADD CONSTRAINT obligation_ledger_totals_pkey PRIMARY KEY (obligation_id);

-- Name: obligation_project_totals obligation_project_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_project_totals
    ADD CONSTRAINT obligation_project_totals_pkey PRIMARY KEY (obligation_id, project_id);

-- Name: obligation_states obligation_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_states
    ADD CONSTRAINT obligation_states_pkey PRIMARY KEY (obligation_id);

-- Name: obligation_variations obligation_variations_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_variations
    ADD CONSTRAINT obligation_variations_pkey PRIMARY KEY (variation_agreement_id, obligation_id);

-- Name: obligations obligations_base_plausible; Type: CHECK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE public.obligations
    ADD CONSTRAINT obligations_base_plausible CHECK ((base_amount < (1000000000)::numeric)) NOT VALID;

-- Name: obligations obligations_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligations
    ADD CONSTRAINT obligations_pkey PRIMARY KEY (id);

-- Name: organisations organisations_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.organisations
    ADD CONSTRAINT organisations_pkey PRIMARY KEY (id);

-- Name: pending_changes pending_changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.pending_changes
    ADD CONSTRAINT pending_changes_pkey PRIMARY KEY (id);

-- Name: planning_applications planning_applications_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.planning_applications
    ADD CONSTRAINT planning_applications_pkey PRIMARY KEY (id);

-- Name: postcodes postcodes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.postcodes
    ADD CONSTRAINT postcodes_pkey PRIMARY KEY (postcode);

-- Name: price_paid_matches price_paid_matches_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.price_paid_matches
    ADD CONSTRAINT price_paid_matches_pkey PRIMARY KEY (transaction_id, home_id);

-- Name: price_paid_sales price_paid_sales_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.price_paid_sales
    ADD CONSTRAINT price_paid_sales_pkey PRIMARY KEY (transaction_id);

-- Name: project_ledger_totals project_ledger_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.project_ledger_totals
    ADD CONSTRAINT project_ledger_totals_pkey PRIMARY KEY (project_id);

-- Name: projects projects_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);

-- Name: provider_return_answers provider_return_answers_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_answers
    ADD CONSTRAINT provider_return_answers_pkey PRIMARY KEY (id);

-- Name: provider_return_requests provider_return_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_requests
    ADD CONSTRAINT provider_return_requests_pkey PRIMARY KEY (return_id, provider_id);

-- Name: provider_returns provider_returns_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_returns
    ADD CONSTRAINT provider_returns_pkey PRIMARY KEY (id);

-- Name: provider_returns provider_returns_year_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_returns
    ADD CONSTRAINT provider_returns_year_key UNIQUE (year);

-- Name: receipt_share_deadlines receipt_share_deadlines_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_deadlines
    ADD CONSTRAINT receipt_share_deadlines_pkey PRIMARY KEY (entry_id);

-- Name: receipt_share_positions receipt_share_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_positions
    ADD CONSTRAINT receipt_share_positions_pkey PRIMARY KEY (entry_id);

-- Name: receipts receipts_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipts
    ADD CONSTRAINT receipts_pkey PRIMARY KEY (id);

-- Name: receipts receipts_total_plausible; Type: CHECK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE public.receipts
    ADD CONSTRAINT receipts_total_plausible CHECK ((total < (1000000000)::numeric)) NOT VALID;

-- Name: registered_providers registered_providers_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.registered_providers
    ADD CONSTRAINT registered_providers_pkey PRIMARY KEY (id);

-- Name: rsh_register rsh_register_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.rsh_register
    ADD CONSTRAINT rsh_register_pkey PRIMARY KEY (registration_number);

-- Name: scheduler_jobs scheduler_jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.scheduler_jobs
    ADD CONSTRAINT scheduler_jobs_pkey PRIMARY KEY (name);

-- Name: schema_definitions schema_definitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.schema_definitions
    ADD CONSTRAINT schema_definitions_pkey PRIMARY KEY (only_row);

-- Name: security_events security_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_pkey PRIMARY KEY (id);

-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (token);

-- Name: sso_identities sso_identities_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_identities
    ADD CONSTRAINT sso_identities_pkey PRIMARY KEY (issuer, subject);

-- Name: sso_logout_tokens sso_logout_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_logout_tokens
    ADD CONSTRAINT sso_logout_tokens_pkey PRIMARY KEY (jti);

-- Name: sso_role_mappings sso_role_mappings_claim_value_role_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_role_mappings
    ADD CONSTRAINT sso_role_mappings_claim_value_role_key UNIQUE (claim_value, role);

-- Name: sso_role_mappings sso_role_mappings_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_role_mappings
    ADD CONSTRAINT sso_role_mappings_pkey PRIMARY KEY (id);

-- Name: sso_sessions sso_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_sessions
    ADD CONSTRAINT sso_sessions_pkey PRIMARY KEY (issuer, sid, user_id);

-- Name: subscription_unsubscribe_tokens subscription_unsubscribe_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.subscription_unsubscribe_tokens
    ADD CONSTRAINT subscription_unsubscribe_tokens_pkey PRIMARY KEY (token_hash);

-- Name: subscriptions subscriptions_confirm_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_confirm_token_hash_key UNIQUE (confirm_token_hash);

-- Name: subscriptions subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (id);

-- Name: suspense_entries suspense_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.suspense_entries
    ADD CONSTRAINT suspense_entries_pkey PRIMARY KEY (id);

-- Name: tenure_products tenure_products_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.tenure_products
    ADD CONSTRAINT tenure_products_pkey PRIMARY KEY (code);

-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

-- Name: agreement_applications_application_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreement_applications_application_idx ON public.agreement_applications USING btree (planning_application_id);

-- Name: agreement_parties_organisation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreement_parties_organisation_idx ON public.agreement_parties USING btree (organisation_id);

-- Name: agreements_api_reference_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_api_reference_idx ON public.agreements USING btree (upper(reference), id);

-- Name: agreements_api_signed_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_api_signed_desc_idx ON public.agreements USING btree (((date_signed IS NOT NULL)), COALESCE(date_signed, '1970-01-01'::date), id);

-- Name: agreements_api_signed_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_api_signed_idx ON public.agreements USING btree (((date_signed IS NULL)), COALESCE(date_signed, '1970-01-01'::date), id);

-- Name: agreements_api_status_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_api_status_idx ON public.agreements USING btree (array_position(ARRAY['draft'::text, 'completed'::text, 'live'::text, 'discharged'::text, 'superseded'::text], status), id);

-- Name: agreements_api_type_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_api_type_idx ON public.agreements USING btree (array_position(ARRAY['section-106'::text, 'unilateral-undertaking'::text, 'deed-of-variation'::text, 'section-278'::text], agreement_type), id);

-- Name: agreements_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_development_idx ON public.agreements USING btree (development_id);

-- Name: agreements_list_signed_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_list_signed_desc_idx ON public.agreements USING btree (((date_signed IS NOT NULL)), COALESCE(date_signed, '1970-01-01'::date), upper(reference), id);

-- Name: agreements_list_signed_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_list_signed_idx ON public.agreements USING btree (((date_signed IS NULL)), COALESCE(date_signed, '1970-01-01'::date), upper(reference), id);

-- Name: agreements_list_status_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_list_status_idx ON public.agreements USING btree (array_position(ARRAY['draft'::text, 'completed'::text, 'live'::text, 'discharged'::text, 'superseded'::text], status), upper(reference), id);

-- Name: agreements_list_type_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_list_type_idx ON public.agreements USING btree (array_position(ARRAY['section-106'::text, 'unilateral-undertaking'::text, 'deed-of-variation'::text, 'section-278'::text], agreement_type), upper(reference), id);

-- Name: agreements_officer_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_officer_idx ON public.agreements USING btree (responsible_officer_id);

-- Name: agreements_reference_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX agreements_reference_key ON public.agreements USING btree (upper(reference));

-- Name: agreements_reference_trgm_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_reference_trgm_idx ON public.agreements USING gin (reference public.gin_trgm_ops);

-- Name: agreements_signed_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_signed_idx ON public.agreements USING btree (date_signed);

-- Name: agreements_status_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_status_idx ON public.agreements USING btree (status);

-- Name: agreements_varies_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX agreements_varies_idx ON public.agreements USING btree (varies_agreement_id);

-- Name: alert_recipients_unread_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX alert_recipients_unread_idx ON public.alert_recipients USING btree (user_id) WHERE (acknowledged_at IS NULL);

-- Name: alert_recipients_user_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX alert_recipients_user_idx ON public.alert_recipients USING btree (user_id, alert_id);

-- Name: alerts_deadline_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX alerts_deadline_idx ON public.alerts USING btree (deadline, id);

-- Name: api_tokens_user_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX api_tokens_user_idx ON public.api_tokens USING btree (user_id) WHERE (user_id IS NOT NULL);

-- Name: areas_name_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX areas_name_idx ON public.areas USING btree (kind, lower(name));

-- Name: audit_events_actor_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX audit_events_actor_idx ON public.audit_events USING btree (actor_id, occurred_at DESC, id DESC);

-- Name: audit_events_entity_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX audit_events_entity_idx ON public.audit_events USING btree (entity_type, entity_id, occurred_at DESC, id DESC);

-- Name: audit_events_occurred_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX audit_events_occurred_idx ON public.audit_events USING btree (occurred_at DESC, id DESC);

-- Name: calendar_feeds_live_idx; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX calendar_feeds_live_idx ON public.calendar_feeds USING btree (user_id) WHERE (revoked_at IS NULL);

-- Name: capability_link_hits_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX capability_link_hits_idx ON public.capability_link_hits USING btree (link_id, at);

-- Name: capability_links_scope_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX capability_links_scope_idx ON public.capability_links USING btree (scope_type, scope_id, created_at DESC);

-- Name: cil_charges_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_charges_development ON public.cil_charges USING btree (cil_development_id);

-- Name: cil_commencements_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_commencements_development ON public.cil_commencements USING btree (cil_development_id);

-- Name: cil_demand_contributions_notice; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_demand_contributions_notice ON public.cil_demand_contributions USING btree (demand_notice_id);

-- Name: cil_demand_list_keys_next_due; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_demand_list_keys_next_due ON public.cil_demand_list_keys USING btree (next_due, demand_notice_id);

-- Name: cil_demand_notices_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_demand_notices_development ON public.cil_demand_notices USING btree (cil_development_id);

-- Name: cil_developments_list_amount; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_amount ON public.cil_developments USING btree (((list_notice_amount IS NULL)), COALESCE(list_notice_amount, (0)::numeric), id);

-- Name: cil_developments_list_amount_desc; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_amount_desc ON public.cil_developments USING btree (((list_notice_amount IS NOT NULL)), COALESCE(list_notice_amount, (0)::numeric), id);

-- Name: cil_developments_list_gia; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_gia ON public.cil_developments USING btree (list_proposed_gia, id);

-- Name: cil_developments_list_issued; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_issued ON public.cil_developments USING btree (((list_notice_issued IS NULL)), COALESCE(list_notice_issued, '1970-01-01'::date), id);

-- Name: cil_developments_list_issued_desc; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_issued_desc ON public.cil_developments USING btree (((list_notice_issued IS NOT NULL)), COALESCE(list_notice_issued, '1970-01-01'::date), id);

-- Name: cil_developments_list_permission; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_permission ON public.cil_developments USING btree (permission_date, id);

-- Name: cil_developments_list_reference; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_developments_list_reference ON public.cil_developments USING btree (lower(reference), id);

-- Name: cil_floor_areas_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_floor_areas_development ON public.cil_floor_areas USING btree (cil_development_id);

-- Name: cil_instalment_paid_notice; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_instalment_paid_notice ON public.cil_instalment_paid USING btree (demand_notice_id);

-- Name: cil_instalments_due; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_instalments_due ON public.cil_instalments USING btree (due_on);

-- Name: cil_ledger_entries_date; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_ledger_entries_date ON public.cil_ledger_entries USING btree (entry_date);

-- Name: cil_ledger_entries_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_ledger_entries_development ON public.cil_ledger_entries USING btree (cil_development_id);

-- Name: cil_ledger_entries_project; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_ledger_entries_project ON public.cil_ledger_entries USING btree (project_id) WHERE (project_id IS NOT NULL);

-- Name: cil_liability_notices_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_liability_notices_development ON public.cil_liability_notices USING btree (cil_development_id);

-- Name: cil_parties_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_parties_development ON public.cil_parties USING btree (cil_development_id);

-- Name: cil_receipt_instalments_instalment; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_receipt_instalments_instalment ON public.cil_receipt_instalments USING btree (instalment_id);

-- Name: cil_reliefs_development; Type: INDEX; Schema: public; Owner: -

CREATE INDEX cil_reliefs_development ON public.cil_reliefs USING btree (cil_development_id);

-- Name: development_home_totals_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX development_home_totals_development_idx ON public.development_home_totals USING btree (development_id);

-- Name: developments_import_ref_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX developments_import_ref_key ON public.developments USING btree (upper(import_ref)) WHERE (import_ref IS NOT NULL);

-- Name: developments_name_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX developments_name_fold_idx ON public.developments USING gin (public.search_fold(name) public.gin_trgm_ops);

-- Name: developments_name_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX developments_name_idx ON public.developments USING btree (lower(name));

-- Name: developments_postcode_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX developments_postcode_idx ON public.developments USING btree (postcode);

-- Name: developments_ward_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX developments_ward_idx ON public.developments USING btree (ward);

-- Name: document_texts_tsv_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX document_texts_tsv_idx ON public.document_texts USING gin (tsv);

-- Name: document_versions_sha_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX document_versions_sha_idx ON public.document_versions USING btree (sha256);

-- Name: documents_agreement_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_agreement_idx ON public.documents USING btree (agreement_id) WHERE (agreement_id IS NOT NULL);

-- Name: documents_entry_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_entry_idx ON public.documents USING btree (ledger_entry_id) WHERE (ledger_entry_id IS NOT NULL);

-- Name: documents_hevent_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_hevent_idx ON public.documents USING btree (home_event_id) WHERE (home_event_id IS NOT NULL);

-- Name: documents_home_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_home_idx ON public.documents USING btree (home_id) WHERE (home_id IS NOT NULL);

-- Name: documents_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_obligation_idx ON public.documents USING btree (obligation_id) WHERE (obligation_id IS NOT NULL);

-- Name: documents_oevent_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_oevent_idx ON public.documents USING btree (obligation_event_id) WHERE (obligation_event_id IS NOT NULL);

-- Name: documents_one_public_idx; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX documents_one_public_idx ON public.documents USING btree (agreement_id) WHERE (public_version_id IS NOT NULL);

-- Name: documents_project_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX documents_project_idx ON public.documents USING btree (project_id) WHERE (project_id IS NOT NULL);

-- Name: home_event_dates_completed_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX home_event_dates_completed_idx ON public.home_event_dates USING btree (completed_on) WHERE (completed_on IS NOT NULL);

-- Name: home_event_dates_exited_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX home_event_dates_exited_idx ON public.home_event_dates USING btree (exited_on) WHERE (exited_on IS NOT NULL);

-- Name: home_event_dates_transferred_to_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX home_event_dates_transferred_to_idx ON public.home_event_dates USING btree (transferred_to);

-- Name: home_events_completed_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX home_events_completed_idx ON public.home_events USING btree (event_date, home_id, id) WHERE (kind = 'completed'::text);

-- Name: home_events_home_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX home_events_home_idx ON public.home_events USING btree (home_id, event_date, id);

-- Name: homes_address_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_address_fold_idx ON public.homes USING gin (address_fold public.gin_trgm_ops);

-- Name: homes_development_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_development_fold_idx ON public.homes USING gin (public.search_fold(development_sort) public.gin_trgm_ops);

-- Name: homes_list_bedrooms_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_bedrooms_idx ON public.homes USING btree (bedrooms, development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_development_idx ON public.homes USING btree (development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_plot_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_plot_idx ON public.homes USING btree (plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), development_sort, id) WHERE (archived_at IS NULL);

-- Name: homes_list_postcode_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_postcode_idx ON public.homes USING btree (((NULLIF(postcode, ''::text) IS NULL)), COALESCE(NULLIF(postcode, ''::text), ''::text), development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_provider_id_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_provider_id_idx ON public.homes USING btree (list_provider_id) WHERE (archived_at IS NULL);

-- Name: homes_list_provider_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_provider_idx ON public.homes USING btree (((list_provider_sort IS NULL)), COALESCE(list_provider_sort, ''::text), development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_state_filter_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_state_filter_idx ON public.homes USING btree (list_state) WHERE (archived_at IS NULL);

-- Name: homes_list_state_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_state_idx ON public.homes USING btree (public.home_state_rank(list_state), development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_tenure_filter_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_tenure_filter_idx ON public.homes USING btree (list_tenure) WHERE (archived_at IS NULL);

-- Name: homes_list_tenure_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_tenure_idx ON public.homes USING btree (list_tenure_order, development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_updated_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_updated_idx ON public.homes USING btree (updated_at, development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_list_uprn_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_list_uprn_idx ON public.homes USING btree ((((uprn)::bigint IS NULL)), COALESCE((uprn)::bigint, (0)::bigint), development_sort, plot_prefix, ((plot_number IS NULL)), COALESCE(plot_number, (0)::numeric), lower(plot), id) WHERE (archived_at IS NULL);

-- Name: homes_market_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_market_idx ON public.homes USING btree (development_id) WHERE ((tenure = 'market'::text) AND (archived_at IS NULL));

-- Name: homes_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_obligation_idx ON public.homes USING btree (obligation_id);

-- Name: homes_plot_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_plot_fold_idx ON public.homes USING gin (plot_fold public.gin_trgm_ops);

-- Name: homes_plot_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX homes_plot_key ON public.homes USING btree (development_id, lower(plot));

-- Name: homes_postcode_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_postcode_idx ON public.homes USING btree (postcode);

-- Name: homes_postcode_trgm_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_postcode_trgm_idx ON public.homes USING gin (replace(postcode, ' '::text, ''::text) public.gin_trgm_ops);

-- Name: homes_provider_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX homes_provider_idx ON public.homes USING btree (registered_provider_id);

-- Name: homes_uprn_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX homes_uprn_key ON public.homes USING btree (((uprn)::bigint)) WHERE (uprn IS NOT NULL);

-- Name: housing_verifications_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX housing_verifications_obligation_idx ON public.housing_verifications USING btree (obligation_id, verified_at DESC);

-- Name: ifs_publications_year_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ifs_publications_year_idx ON public.ifs_publications USING btree (year, published_at DESC, id DESC);

-- Name: ifs_year_totals_project_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ifs_year_totals_project_idx ON public.ifs_year_totals USING btree (project_id) WHERE (project_id <> 0);

-- Name: import_mappings_name_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX import_mappings_name_key ON public.import_mappings USING btree (lower(name));

-- Name: import_uploads_expires_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX import_uploads_expires_idx ON public.import_uploads USING btree (expires_at);

-- Name: job_runs_job_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX job_runs_job_idx ON public.job_runs USING btree (job_name, started_at DESC);

-- Name: ledger_entries_entry_date_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_entry_date_idx ON public.ledger_entries USING btree (entry_date);

-- Name: ledger_entries_import_ref_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ledger_entries_import_ref_key ON public.ledger_entries USING btree (upper(import_ref)) WHERE (import_ref IS NOT NULL);

-- Name: ledger_entries_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_obligation_idx ON public.ledger_entries USING btree (obligation_id, entry_date, id);

-- Name: ledger_entries_project_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_project_idx ON public.ledger_entries USING btree (project_id, entry_date);

-- Name: ledger_entries_receipt_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_receipt_idx ON public.ledger_entries USING btree (receipt_id);

-- Name: ledger_entries_receipt_shares_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_receipt_shares_idx ON public.ledger_entries USING btree (obligation_id, receipt_id) WHERE (kind = 'receipt'::text);

-- Name: ledger_entries_receipts_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_entries_receipts_idx ON public.ledger_entries USING btree (obligation_id, entry_date, id) WHERE (kind = 'receipt'::text);

-- Name: ledger_year_totals_fy_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ledger_year_totals_fy_idx ON public.ledger_year_totals USING btree (fy);

-- Name: letters_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX letters_obligation_idx ON public.letters USING btree (obligation_id, kind, issued_at DESC);

-- Name: mail_outbox_attachments_version_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX mail_outbox_attachments_version_idx ON public.mail_outbox_attachments USING btree (document_version_id);

-- Name: mail_outbox_due_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX mail_outbox_due_idx ON public.mail_outbox USING btree (next_attempt_at) WHERE ((sent_at IS NULL) AND (failed_at IS NULL));

-- Name: mail_outbox_notify_pending_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX mail_outbox_notify_pending_idx ON public.mail_outbox USING btree (notify_checked_at NULLS FIRST) WHERE ((notify_id IS NOT NULL) AND (notify_status = ANY (ARRAY['created'::text, 'sending'::text, 'pending'::text])));

-- Name: market_occupation_counts_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX market_occupation_counts_development_idx ON public.market_occupation_counts USING btree (development_id, counted_on DESC, id DESC);

-- Name: obligation_events_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligation_events_obligation_idx ON public.obligation_events USING btree (obligation_id, event_date);

-- Name: obligation_states_status_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligation_states_status_idx ON public.obligation_states USING btree (status, obligation_id);

-- Name: obligation_states_trigger_met_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligation_states_trigger_met_idx ON public.obligation_states USING btree (trigger_met_on, obligation_id);

-- Name: obligation_states_trigger_met_keyset_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligation_states_trigger_met_keyset_idx ON public.obligation_states USING btree (((trigger_met_on IS NULL)), COALESCE(trigger_met_on, '1970-01-01'::date), obligation_id);

-- Name: obligation_variations_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligation_variations_obligation_idx ON public.obligation_variations USING btree (obligation_id);

-- Name: obligations_agreement_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_agreement_idx ON public.obligations USING btree (agreement_id);

-- Name: obligations_clause_ref_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_clause_ref_fold_idx ON public.obligations USING gin (public.search_fold(clause_ref) public.gin_trgm_ops);

-- Name: obligations_description_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_description_fold_idx ON public.obligations USING gin (public.search_fold(description) public.gin_trgm_ops);

-- Name: obligations_import_ref_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX obligations_import_ref_key ON public.obligations USING btree (upper(import_ref)) WHERE (import_ref IS NOT NULL);

-- Name: obligations_kind_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_kind_idx ON public.obligations USING btree (kind);

-- Name: obligations_list_agreement_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_agreement_idx ON public.obligations USING btree (agreement_id, id) INCLUDE (archived_at);

-- Name: obligations_list_amount_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_amount_idx ON public.obligations USING btree (base_amount, id);

-- Name: obligations_list_amount_keyset_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_amount_keyset_idx ON public.obligations USING btree (((base_amount IS NULL)), COALESCE(base_amount, (0)::numeric), id);

-- Name: obligations_list_kind_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_kind_idx ON public.obligations USING btree (kind, id);

-- Name: obligations_list_purpose_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_purpose_idx ON public.obligations USING btree (purpose_code, id) INCLUDE (archived_at);

-- Name: obligations_list_updated_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_list_updated_idx ON public.obligations USING btree (updated_at, id);

-- Name: obligations_purpose_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX obligations_purpose_idx ON public.obligations USING btree (purpose_code);

-- Name: organisations_name_number_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX organisations_name_number_key ON public.organisations USING btree (lower(name), company_number);

-- Name: pending_changes_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX pending_changes_development_idx ON public.pending_changes USING btree (development_id, submitted_at DESC);

-- Name: pending_changes_home_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX pending_changes_home_idx ON public.pending_changes USING btree (home_id);

-- Name: pending_changes_status_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX pending_changes_status_idx ON public.pending_changes USING btree (status, submitted_at);

-- Name: planning_applications_development_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX planning_applications_development_idx ON public.planning_applications USING btree (development_id);

-- Name: planning_applications_reference_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX planning_applications_reference_key ON public.planning_applications USING btree (upper(reference));

-- Name: price_paid_matches_home_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX price_paid_matches_home_idx ON public.price_paid_matches USING btree (home_id);

-- Name: projects_api_name_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX projects_api_name_idx ON public.projects USING btree (lower(name), id);

-- Name: projects_name_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX projects_name_key ON public.projects USING btree (lower(name));

-- Name: provider_return_answers_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX provider_return_answers_idx ON public.provider_return_answers USING btree (return_id, provider_id, home_id, answered_at DESC);

-- Name: receipt_share_deadlines_agreement_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_agreement_desc_idx ON public.receipt_share_deadlines USING btree (agreement_key DESC NULLS LAST, deadline, received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_agreement_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_agreement_idx ON public.receipt_share_deadlines USING btree (agreement_key, deadline, received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_api_agreement_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_api_agreement_idx ON public.receipt_share_deadlines USING btree (agreement_key, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_api_deadline_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_api_deadline_desc_idx ON public.receipt_share_deadlines USING btree (((deadline IS NOT NULL)), COALESCE(deadline, '1970-01-01'::date), received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_api_deadline_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_api_deadline_idx ON public.receipt_share_deadlines USING btree (((deadline IS NULL)), COALESCE(deadline, '1970-01-01'::date), received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_api_received_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_api_received_idx ON public.receipt_share_deadlines USING btree (received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_api_unspent_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_api_unspent_idx ON public.receipt_share_deadlines USING btree (unspent, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_deadline_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_deadline_desc_idx ON public.receipt_share_deadlines USING btree (deadline DESC NULLS LAST, received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_list_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_list_idx ON public.receipt_share_deadlines USING btree (deadline, received_on, entry_id) INCLUDE (unallocated) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_obligation_idx ON public.receipt_share_deadlines USING btree (obligation_id);

-- Name: receipt_share_deadlines_received_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_received_desc_idx ON public.receipt_share_deadlines USING btree (received_on DESC NULLS LAST, deadline, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_received_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_received_idx ON public.receipt_share_deadlines USING btree (received_on, deadline, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_unspent_desc_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_unspent_desc_idx ON public.receipt_share_deadlines USING btree (unspent DESC NULLS LAST, deadline, received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_deadlines_unspent_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_deadlines_unspent_idx ON public.receipt_share_deadlines USING btree (unspent, deadline, received_on, entry_id) WHERE (unspent > (0)::numeric);

-- Name: receipt_share_positions_obligation_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_positions_obligation_idx ON public.receipt_share_positions USING btree (obligation_id);

-- Name: receipt_share_positions_receipt_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipt_share_positions_receipt_idx ON public.receipt_share_positions USING btree (receipt_id);

-- Name: receipts_finance_ref_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_finance_ref_idx ON public.receipts USING btree (upper(finance_ref));

-- Name: receipts_finance_ref_trgm_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_finance_ref_trgm_idx ON public.receipts USING gin (finance_ref public.gin_trgm_ops);

-- Name: receipts_import_ref_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX receipts_import_ref_key ON public.receipts USING btree (upper(import_ref)) WHERE (import_ref IS NOT NULL);

-- Name: receipts_list_payer_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_list_payer_idx ON public.receipts USING btree (lower(payer), id);

-- Name: receipts_list_received_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_list_received_idx ON public.receipts USING btree (received_on, id);

-- Name: receipts_list_reference_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_list_reference_idx ON public.receipts USING btree (upper(finance_ref), id);

-- Name: receipts_list_total_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_list_total_idx ON public.receipts USING btree (total, id);

-- Name: receipts_payer_fold_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_payer_fold_idx ON public.receipts USING gin (public.search_fold(payer) public.gin_trgm_ops);

-- Name: receipts_received_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX receipts_received_idx ON public.receipts USING btree (received_on);

-- Name: registered_providers_name_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX registered_providers_name_key ON public.registered_providers USING btree (lower(name));

-- Name: registered_providers_rsh_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX registered_providers_rsh_key ON public.registered_providers USING btree (rsh_number) WHERE (rsh_number <> ''::text);

-- Name: rsh_register_name_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX rsh_register_name_idx ON public.rsh_register USING btree (lower(name));

-- Name: security_events_occurred_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX security_events_occurred_idx ON public.security_events USING btree (occurred_at DESC, id DESC);

-- Name: security_events_user_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX security_events_user_idx ON public.security_events USING btree (user_id, occurred_at DESC) WHERE (user_id IS NOT NULL);

-- Name: sessions_expiry_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX sessions_expiry_idx ON public.sessions USING btree (expiry);

-- Name: sessions_user_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX sessions_user_idx ON public.sessions USING btree (user_id) WHERE (user_id IS NOT NULL);

-- Name: sso_identities_user_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX sso_identities_user_idx ON public.sso_identities USING btree (user_id);

-- Name: subscription_unsubscribe_tokens_sub_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX subscription_unsubscribe_tokens_sub_idx ON public.subscription_unsubscribe_tokens USING btree (subscription_id);

-- Name: subscriptions_due_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX subscriptions_due_idx ON public.subscriptions USING btree (digest_from) WHERE ((confirmed_at IS NOT NULL) AND (unsubscribed_at IS NULL));

-- Name: subscriptions_live_idx; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX subscriptions_live_idx ON public.subscriptions USING btree (email, COALESCE(development_id, (0)::bigint), lower(COALESCE(ward, ''::text))) WHERE (unsubscribed_at IS NULL);

-- Name: suspense_entries_receipt_idx; Type: INDEX; Schema: public; Owner: -

CREATE INDEX suspense_entries_receipt_idx ON public.suspense_entries USING btree (receipt_id, entry_date);

-- Name: tenure_products_label_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX tenure_products_label_key ON public.tenure_products USING btree (lower(label));

-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);

-- Name: agreements agreements_share_deadlines; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER agreements_share_deadlines AFTER UPDATE OF reference ON public.agreements FOR EACH ROW WHEN ((upper(old.reference) IS DISTINCT FROM upper(new.reference))) EXECUTE FUNCTION public.agreements_deadline_key_changed();

-- Name: audit_events audit_events_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER audit_events_append_only BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: audit_events audit_events_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER audit_events_data_version AFTER INSERT ON public.audit_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((new.action !~~ 'login.%'::text) AND (new.action !~~ 'logout%'::text))) EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_demand_contributions cil_demand_contributions_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_demand_contributions_append_only BEFORE DELETE OR UPDATE ON public.cil_demand_contributions FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_demand_notices cil_demand_notices_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_demand_notices_append_only BEFORE DELETE OR UPDATE ON public.cil_demand_notices FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_demand_notices cil_demand_notices_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_demand_notices_data_version AFTER INSERT ON public.cil_demand_notices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_demand_notices cil_demand_notices_instalments_sum; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_demand_notices_instalments_sum AFTER INSERT ON public.cil_demand_notices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_demand_instalments();

-- Name: cil_floor_areas cil_floor_areas_list_keys_delete; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_floor_areas_list_keys_delete AFTER DELETE ON public.cil_floor_areas REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_refresh_development_list_keys();

-- Name: cil_floor_areas cil_floor_areas_list_keys_insert; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_floor_areas_list_keys_insert AFTER INSERT ON public.cil_floor_areas REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_refresh_development_list_keys();

-- Name: cil_floor_areas cil_floor_areas_list_keys_update; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_floor_areas_list_keys_update AFTER UPDATE ON public.cil_floor_areas REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_refresh_development_list_keys();

-- Name: cil_instalments cil_instalments_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_instalments_append_only BEFORE DELETE OR UPDATE ON public.cil_instalments FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_instalments cil_instalments_demand_keys; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_instalments_demand_keys AFTER INSERT ON public.cil_instalments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_instalments_move_demand_keys();

-- Name: cil_instalments cil_instalments_sum; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_instalments_sum AFTER INSERT ON public.cil_instalments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_demand_instalments();

-- Name: cil_ledger_entries cil_ledger_entries_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_ledger_entries_append_only BEFORE DELETE OR UPDATE ON public.cil_ledger_entries FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_ledger_entries cil_ledger_entries_check; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_ledger_entries_check BEFORE INSERT ON public.cil_ledger_entries FOR EACH ROW EXECUTE FUNCTION public.cil_check_entry();

-- Name: cil_ledger_entries cil_ledger_entries_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_ledger_entries_data_version AFTER INSERT ON public.cil_ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_ledger_entries cil_ledger_entries_half_dues; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_ledger_entries_half_dues AFTER INSERT ON public.cil_ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_ledger_entries_move_half_dues();

-- Name: cil_ledger_entries cil_ledger_entries_portions_rule; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_ledger_entries_portions_rule AFTER INSERT ON public.cil_ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.kind = 'receipt'::text)) EXECUTE FUNCTION public.cil_check_receipt_portions();

-- Name: cil_ledger_entries cil_ledger_entries_public_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_ledger_entries_public_version AFTER INSERT ON public.cil_ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_ledger_entries cil_ledger_entries_repaid_rule; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_ledger_entries_repaid_rule AFTER INSERT ON public.cil_ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.kind = ANY (ARRAY['repayment'::text, 'reversal'::text]))) EXECUTE FUNCTION public.cil_check_development_repaid();

-- Name: cil_ledger_entries cil_ledger_entries_totals; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_ledger_entries_totals AFTER INSERT ON public.cil_ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_ledger_entries_move_totals();

-- Name: cil_ledger_entries cil_ledger_entries_unpaid_keys; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_ledger_entries_unpaid_keys AFTER INSERT ON public.cil_ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_ledger_entries_move_demand_keys();

-- Name: cil_liability_notices cil_liability_notices_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_liability_notices_append_only BEFORE DELETE OR UPDATE ON public.cil_liability_notices FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_liability_notices cil_liability_notices_list_keys; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_liability_notices_list_keys AFTER INSERT ON public.cil_liability_notices REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_refresh_development_list_keys();

-- Name: cil_parish_reports cil_parish_reports_public_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_parish_reports_public_version AFTER INSERT OR UPDATE ON public.cil_parish_reports DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_pot_totals cil_pot_totals_rules; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_pot_totals_rules AFTER INSERT OR UPDATE ON public.cil_pot_totals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_pot_totals();

-- Name: cil_project_totals cil_project_totals_rules; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_project_totals_rules AFTER INSERT OR UPDATE ON public.cil_project_totals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_project_totals();

-- Name: cil_receipt_instalments cil_receipt_instalments_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_receipt_instalments_append_only BEFORE DELETE OR UPDATE ON public.cil_receipt_instalments FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_receipt_instalments cil_receipt_instalments_demand_keys; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_receipt_instalments_demand_keys AFTER INSERT ON public.cil_receipt_instalments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_receipt_instalments_move_demand_keys();

-- Name: cil_receipt_instalments cil_receipt_instalments_rule; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_receipt_instalments_rule AFTER INSERT ON public.cil_receipt_instalments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_receipt_instalments();

-- Name: cil_receipt_portions cil_receipt_portions_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_receipt_portions_append_only BEFORE DELETE OR UPDATE ON public.cil_receipt_portions FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_receipt_portions cil_receipt_portions_half_dues; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_receipt_portions_half_dues AFTER INSERT ON public.cil_receipt_portions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_receipt_portions_move_half_dues();

-- Name: cil_receipt_portions cil_receipt_portions_rule; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_receipt_portions_rule AFTER INSERT ON public.cil_receipt_portions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.cil_check_receipt_portions();

-- Name: cil_receipt_portions cil_receipt_portions_totals; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_receipt_portions_totals AFTER INSERT ON public.cil_receipt_portions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cil_receipt_portions_move_totals();

-- Name: cil_recovery_notices cil_recovery_notices_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER cil_recovery_notices_append_only BEFORE DELETE OR UPDATE ON public.cil_recovery_notices FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: cil_recovery_notices cil_recovery_notices_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_recovery_notices_data_version AFTER INSERT ON public.cil_recovery_notices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: cil_schedules cil_schedules_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER cil_schedules_data_version AFTER INSERT OR UPDATE ON public.cil_schedules DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: developments developments_rename_homes; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER developments_rename_homes AFTER UPDATE OF name ON public.developments FOR EACH ROW WHEN ((old.name IS DISTINCT FROM new.name)) EXECUTE FUNCTION public.developments_rename_homes();

-- Name: document_blob_chunks document_blob_chunks_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER document_blob_chunks_append_only BEFORE DELETE OR UPDATE ON public.document_blob_chunks FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: document_blobs document_blobs_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER document_blobs_append_only BEFORE DELETE OR UPDATE ON public.document_blobs FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: document_texts document_texts_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER document_texts_append_only BEFORE DELETE OR UPDATE ON public.document_texts FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: document_versions document_versions_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER document_versions_append_only BEFORE DELETE OR UPDATE ON public.document_versions FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: home_events home_events_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER home_events_append_only BEFORE DELETE OR UPDATE ON public.home_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: home_events home_events_check; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER home_events_check BEFORE INSERT ON public.home_events FOR EACH ROW EXECUTE FUNCTION public.check_home_event();

-- Name: home_events home_events_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER home_events_data_version AFTER INSERT ON public.home_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: home_events home_events_dates; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER home_events_dates AFTER INSERT ON public.home_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.home_events_refresh_dates();

-- Name: home_events home_events_development_totals; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER home_events_development_totals AFTER INSERT ON public.home_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.home_events_refresh_development_totals();

-- Name: homes homes_development_sort; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_development_sort BEFORE INSERT OR UPDATE OF development_id ON public.homes FOR EACH ROW EXECUTE FUNCTION public.homes_set_development_sort();

-- Name: homes homes_development_totals_delete; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_development_totals_delete AFTER DELETE ON public.homes REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.homes_refresh_development_totals();

-- Name: homes homes_development_totals_insert; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_development_totals_insert AFTER INSERT ON public.homes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.homes_refresh_development_totals();

-- Name: homes homes_development_totals_update; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_development_totals_update AFTER UPDATE ON public.homes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.homes_refresh_development_totals();

-- Name: homes homes_list_keys; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_list_keys BEFORE INSERT OR UPDATE OF tenure, registered_provider_id ON public.homes FOR EACH ROW EXECUTE FUNCTION public.homes_set_list_keys();

-- Name: homes homes_obligation_check; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_obligation_check BEFORE INSERT OR UPDATE ON public.homes FOR EACH ROW EXECUTE FUNCTION public.check_home_obligation();

-- Name: homes homes_uprn_kept; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER homes_uprn_kept BEFORE UPDATE ON public.homes FOR EACH ROW EXECUTE FUNCTION public.check_home_uprn_kept();

-- Name: housing_verifications housing_verifications_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER housing_verifications_append_only BEFORE DELETE OR UPDATE ON public.housing_verifications FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: ifs_publication_files ifs_publication_files_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ifs_publication_files_append_only BEFORE DELETE OR UPDATE ON public.ifs_publication_files FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: ifs_publications ifs_publications_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ifs_publications_append_only BEFORE DELETE OR UPDATE ON public.ifs_publications FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: import_runs import_runs_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER import_runs_append_only BEFORE DELETE OR UPDATE ON public.import_runs FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: ledger_entries ledger_entries_allocation_purpose; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_allocation_purpose BEFORE INSERT ON public.ledger_entries FOR EACH ROW WHEN ((new.kind = 'allocation'::text)) EXECUTE FUNCTION public.check_allocation_purpose();

-- Name: ledger_entries ledger_entries_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_append_only BEFORE DELETE OR UPDATE ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: ledger_entries ledger_entries_balance_check; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER ledger_entries_balance_check AFTER INSERT ON public.ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_ledger_balances();

-- Name: ledger_entries ledger_entries_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER ledger_entries_data_version AFTER INSERT ON public.ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: ledger_entries ledger_entries_reversal_check; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_reversal_check BEFORE INSERT ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.check_ledger_reversal();

-- Name: ledger_entries ledger_entries_split_check; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER ledger_entries_split_check AFTER INSERT ON public.ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.kind = 'receipt'::text)) EXECUTE FUNCTION public.check_receipt_split();

-- Name: ledger_entries ledger_entries_totals; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_totals AFTER INSERT ON public.ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_entries_refresh_totals();

-- Name: ledger_entries ledger_entries_totals_ifs_years; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_totals_ifs_years AFTER INSERT ON public.ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_entries_move_ifs_year_totals();

-- Name: ledger_entries ledger_entries_totals_pairs; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_totals_pairs AFTER INSERT ON public.ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_entries_move_pair_totals();

-- Name: ledger_entries ledger_entries_totals_projects; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_totals_projects AFTER INSERT ON public.ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_entries_move_project_totals();

-- Name: ledger_entries ledger_entries_totals_years; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER ledger_entries_totals_years AFTER INSERT ON public.ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_entries_move_year_totals();

-- Name: letter_templates letter_templates_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER letter_templates_append_only BEFORE DELETE OR UPDATE ON public.letter_templates FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: letters letters_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER letters_append_only BEFORE DELETE OR UPDATE ON public.letters FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: mail_outbox_attachments mail_outbox_attachments_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER mail_outbox_attachments_append_only BEFORE DELETE OR UPDATE ON public.mail_outbox_attachments FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: market_occupation_counts market_occupation_counts_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER market_occupation_counts_append_only BEFORE DELETE OR UPDATE ON public.market_occupation_counts FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: obligation_events obligation_events_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER obligation_events_append_only BEFORE DELETE OR UPDATE ON public.obligation_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: obligation_events obligation_events_data_version; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER obligation_events_data_version AFTER INSERT ON public.obligation_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bump_data_version();

-- Name: obligation_events obligation_events_dates; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER obligation_events_dates AFTER INSERT ON public.obligation_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.obligation_events_refresh_dates();

-- Name: obligation_events obligation_events_reversal_check; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER obligation_events_reversal_check BEFORE INSERT ON public.obligation_events FOR EACH ROW EXECUTE FUNCTION public.check_obligation_reversal();

-- Name: obligations obligations_share_deadlines; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER obligations_share_deadlines AFTER UPDATE OF spend_by_months, spend_by_from, spend_by_start, base_amount, agreement_id, purpose_code, service_area ON public.obligations FOR EACH ROW WHEN ((((((((old.spend_by_months IS DISTINCT FROM new.spend_by_months) OR (old.spend_by_from IS DISTINCT FROM new.spend_by_from)) OR (old.spend_by_start IS DISTINCT FROM new.spend_by_start)) OR (old.base_amount IS DISTINCT FROM new.base_amount)) OR (old.agreement_id IS DISTINCT FROM new.agreement_id)) OR (old.purpose_code IS DISTINCT FROM new.purpose_code)) OR (old.service_area IS DISTINCT FROM new.service_area))) EXECUTE FUNCTION public.obligations_deadline_keys_changed();

-- Name: obligations obligations_states; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER obligations_states AFTER INSERT ON public.obligations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.obligations_added_states();

-- Name: projects projects_ifs_year_totals; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER projects_ifs_year_totals AFTER UPDATE OF decision_date ON public.projects FOR EACH ROW WHEN ((old.decision_date IS DISTINCT FROM new.decision_date)) EXECUTE FUNCTION public.projects_refresh_ifs_year_totals();

-- Name: registered_providers providers_rename_homes; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER providers_rename_homes AFTER UPDATE OF name ON public.registered_providers FOR EACH ROW WHEN ((old.name IS DISTINCT FROM new.name)) EXECUTE FUNCTION public.providers_rename_homes();

-- Name: receipts receipts_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER receipts_append_only BEFORE DELETE OR UPDATE ON public.receipts FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: receipts receipts_split_check; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER receipts_split_check AFTER INSERT ON public.receipts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_receipt_split();

-- Name: security_events security_events_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER security_events_append_only BEFORE DELETE OR UPDATE ON public.security_events FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: suspense_entries suspense_entries_append_only; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER suspense_entries_append_only BEFORE DELETE OR UPDATE ON public.suspense_entries FOR EACH ROW EXECUTE FUNCTION public.refuse_change();

-- Name: suspense_entries suspense_entries_balance_check; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER suspense_entries_balance_check AFTER INSERT ON public.suspense_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_suspense_balance();

-- Name: suspense_entries suspense_entries_split_check; Type: TRIGGER; Schema: public; Owner: -

CREATE CONSTRAINT TRIGGER suspense_entries_split_check AFTER INSERT ON public.suspense_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_receipt_split();

-- Name: tenure_products tenure_products_reorder_homes; Type: TRIGGER; Schema: public; Owner: -

CREATE TRIGGER tenure_products_reorder_homes AFTER UPDATE OF sort_order ON public.tenure_products FOR EACH ROW WHEN ((old.sort_order IS DISTINCT FROM new.sort_order)) EXECUTE FUNCTION public.tenure_products_reorder_homes();

-- Name: affordable_mix_lines affordable_mix_lines_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mix_lines
    ADD CONSTRAINT affordable_mix_lines_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.affordable_mixes(obligation_id);

-- Name: affordable_mix_lines affordable_mix_lines_tenure_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mix_lines
    ADD CONSTRAINT affordable_mix_lines_tenure_fkey FOREIGN KEY (tenure) REFERENCES public.tenure_products(code);

-- Name: affordable_mixes affordable_mixes_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mixes
    ADD CONSTRAINT affordable_mixes_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: affordable_mixes affordable_mixes_registered_provider_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.affordable_mixes
    ADD CONSTRAINT affordable_mixes_registered_provider_id_fkey FOREIGN KEY (registered_provider_id) REFERENCES public.registered_providers(id);

-- Name: agreement_applications agreement_applications_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_applications
    ADD CONSTRAINT agreement_applications_agreement_id_fkey FOREIGN KEY (agreement_id) REFERENCES public.agreements(id);

-- Name: agreement_applications agreement_applications_planning_application_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_applications
    ADD CONSTRAINT agreement_applications_planning_application_id_fkey FOREIGN KEY (planning_application_id) REFERENCES public.planning_applications(id);

-- Name: agreement_parties agreement_parties_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_parties
    ADD CONSTRAINT agreement_parties_agreement_id_fkey FOREIGN KEY (agreement_id) REFERENCES public.agreements(id);

-- Name: agreement_parties agreement_parties_organisation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreement_parties
    ADD CONSTRAINT agreement_parties_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES public.organisations(id);

-- Name: agreements agreements_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreements
    ADD CONSTRAINT agreements_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: agreements agreements_responsible_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreements
    ADD CONSTRAINT agreements_responsible_officer_id_fkey FOREIGN KEY (responsible_officer_id) REFERENCES public.users(id);

-- Name: agreements agreements_varies_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.agreements
    ADD CONSTRAINT agreements_varies_agreement_id_fkey FOREIGN KEY (varies_agreement_id) REFERENCES public.agreements(id);

-- Name: alert_digests alert_digests_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_digests
    ADD CONSTRAINT alert_digests_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

-- Name: alert_recipients alert_recipients_alert_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_recipients
    ADD CONSTRAINT alert_recipients_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES public.alerts(id);

-- Name: alert_recipients alert_recipients_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alert_recipients
    ADD CONSTRAINT alert_recipients_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

-- Name: alerts alerts_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_agreement_id_fkey FOREIGN KEY (agreement_id) REFERENCES public.agreements(id);

-- Name: alerts alerts_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: alerts alerts_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES public.users(id);

-- Name: alerts alerts_rule_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.alerts
    ADD CONSTRAINT alerts_rule_code_fkey FOREIGN KEY (rule_code) REFERENCES public.alert_rules(code);

-- Name: api_tokens api_tokens_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

-- Name: api_tokens api_tokens_revoked_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES public.users(id);

-- Name: api_tokens api_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

-- Name: audit_events audit_events_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

-- Name: calendar_feeds calendar_feeds_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.calendar_feeds
    ADD CONSTRAINT calendar_feeds_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

-- Name: capability_link_hits capability_link_hits_link_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.capability_link_hits
    ADD CONSTRAINT capability_link_hits_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.capability_links(id);

-- Name: capability_links capability_links_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.capability_links
    ADD CONSTRAINT capability_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

-- Name: capability_links capability_links_revoked_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.capability_links
    ADD CONSTRAINT capability_links_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES public.users(id);

-- Name: cil_base_rates cil_base_rates_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_base_rates
    ADD CONSTRAINT cil_base_rates_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_charges cil_charges_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_charges
    ADD CONSTRAINT cil_charges_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_charges cil_charges_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_charges
    ADD CONSTRAINT cil_charges_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_charges cil_charges_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_charges
    ADD CONSTRAINT cil_charges_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_commencements cil_commencements_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_commencements
    ADD CONSTRAINT cil_commencements_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_commencements cil_commencements_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_commencements
    ADD CONSTRAINT cil_commencements_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_demand_contributions cil_demand_contributions_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_contributions
    ADD CONSTRAINT cil_demand_contributions_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_demand_contributions cil_demand_contributions_instalment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_contributions
    ADD CONSTRAINT cil_demand_contributions_instalment_id_fkey FOREIGN KEY (instalment_id) REFERENCES public.cil_instalments(id);

-- Name: cil_demand_list_keys cil_demand_list_keys_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_list_keys
    ADD CONSTRAINT cil_demand_list_keys_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_demand_notices cil_demand_notices_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_demand_notices cil_demand_notices_liability_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_liability_notice_id_fkey FOREIGN KEY (liability_notice_id) REFERENCES public.cil_liability_notices(id);

-- Name: cil_demand_notices cil_demand_notices_party_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_party_id_fkey FOREIGN KEY (party_id) REFERENCES public.cil_parties(id);

-- Name: cil_demand_notices cil_demand_notices_policy_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES public.cil_instalment_policies(id);

-- Name: cil_demand_notices cil_demand_notices_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_demand_notices cil_demand_notices_supersedes_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_demand_notices
    ADD CONSTRAINT cil_demand_notices_supersedes_id_fkey FOREIGN KEY (supersedes_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_development_zones cil_development_zones_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_development_zones
    ADD CONSTRAINT cil_development_zones_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_development_zones cil_development_zones_schedule_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_development_zones
    ADD CONSTRAINT cil_development_zones_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES public.cil_schedules(id);

-- Name: cil_development_zones cil_development_zones_zone_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_development_zones
    ADD CONSTRAINT cil_development_zones_zone_id_fkey FOREIGN KEY (zone_id) REFERENCES public.cil_zones(id);

-- Name: cil_development_zones cil_development_zones_zone_of_schedule; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_development_zones
    ADD CONSTRAINT cil_development_zones_zone_of_schedule FOREIGN KEY (zone_id, schedule_id) REFERENCES public.cil_zones(id, schedule_id);

-- Name: cil_developments cil_developments_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_developments
    ADD CONSTRAINT cil_developments_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: cil_developments cil_developments_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_developments
    ADD CONSTRAINT cil_developments_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_floor_areas cil_floor_areas_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_floor_areas
    ADD CONSTRAINT cil_floor_areas_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_instalment_paid cil_instalment_paid_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_paid
    ADD CONSTRAINT cil_instalment_paid_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_instalment_paid cil_instalment_paid_instalment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_paid
    ADD CONSTRAINT cil_instalment_paid_instalment_id_fkey FOREIGN KEY (instalment_id) REFERENCES public.cil_instalments(id);

-- Name: cil_instalment_rules cil_instalment_rules_policy_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalment_rules
    ADD CONSTRAINT cil_instalment_rules_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES public.cil_instalment_policies(id);

-- Name: cil_instalments cil_instalments_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_instalments
    ADD CONSTRAINT cil_instalments_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_ledger_entries cil_ledger_entries_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_ledger_entries cil_ledger_entries_demand_notice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_demand_notice_id_fkey FOREIGN KEY (demand_notice_id) REFERENCES public.cil_demand_notices(id);

-- Name: cil_ledger_entries cil_ledger_entries_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_ledger_entries cil_ledger_entries_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: cil_ledger_entries cil_ledger_entries_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_ledger_entries cil_ledger_entries_reverses_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_ledger_entries
    ADD CONSTRAINT cil_ledger_entries_reverses_id_fkey FOREIGN KEY (reverses_id) REFERENCES public.cil_ledger_entries(id);

-- Name: cil_liability_notices cil_liability_notices_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_liability_notices cil_liability_notices_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_liability_notices cil_liability_notices_supersedes_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_supersedes_id_fkey FOREIGN KEY (supersedes_id) REFERENCES public.cil_liability_notices(id);

-- Name: cil_liability_notices cil_liability_notices_supersedes_same; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_supersedes_same FOREIGN KEY (supersedes_id, cil_development_id, charging_authority) REFERENCES public.cil_liability_notices(id, cil_development_id, charging_authority);

-- Name: cil_parish_dwellings cil_parish_dwellings_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_dwellings
    ADD CONSTRAINT cil_parish_dwellings_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_parish_half_dues cil_parish_half_dues_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_half_dues
    ADD CONSTRAINT cil_parish_half_dues_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_parish_reports cil_parish_reports_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_reports
    ADD CONSTRAINT cil_parish_reports_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_parish_reports cil_parish_reports_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parish_reports
    ADD CONSTRAINT cil_parish_reports_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_parties cil_parties_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_parties
    ADD CONSTRAINT cil_parties_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_project_totals cil_project_totals_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_project_totals
    ADD CONSTRAINT cil_project_totals_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: cil_rates cil_rates_schedule_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_rates
    ADD CONSTRAINT cil_rates_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES public.cil_schedules(id);

-- Name: cil_rates cil_rates_zone_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_rates
    ADD CONSTRAINT cil_rates_zone_id_fkey FOREIGN KEY (zone_id) REFERENCES public.cil_zones(id);

-- Name: cil_rates cil_rates_zone_of_schedule; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_rates
    ADD CONSTRAINT cil_rates_zone_of_schedule FOREIGN KEY (zone_id, schedule_id) REFERENCES public.cil_zones(id, schedule_id);

-- Name: cil_receipt_instalments cil_receipt_instalments_instalment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_instalments
    ADD CONSTRAINT cil_receipt_instalments_instalment_id_fkey FOREIGN KEY (instalment_id) REFERENCES public.cil_instalments(id);

-- Name: cil_receipt_instalments cil_receipt_instalments_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_instalments
    ADD CONSTRAINT cil_receipt_instalments_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.cil_ledger_entries(id);

-- Name: cil_receipt_portions cil_receipt_portions_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_portions
    ADD CONSTRAINT cil_receipt_portions_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_receipt_portions cil_receipt_portions_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_receipt_portions
    ADD CONSTRAINT cil_receipt_portions_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.cil_ledger_entries(id);

-- Name: cil_recovery_notices cil_recovery_notices_parish_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_recovery_notices
    ADD CONSTRAINT cil_recovery_notices_parish_code_fkey FOREIGN KEY (parish_code) REFERENCES public.cil_parishes(code);

-- Name: cil_recovery_notices cil_recovery_notices_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_recovery_notices
    ADD CONSTRAINT cil_recovery_notices_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: cil_reliefs cil_reliefs_cil_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_reliefs
    ADD CONSTRAINT cil_reliefs_cil_development_id_fkey FOREIGN KEY (cil_development_id) REFERENCES public.cil_developments(id);

-- Name: cil_zones cil_zones_schedule_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.cil_zones
    ADD CONSTRAINT cil_zones_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES public.cil_schedules(id);

-- Name: contribution_purposes contribution_purposes_parent_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.contribution_purposes
    ADD CONSTRAINT contribution_purposes_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES public.contribution_purposes(code);

-- Name: data_standard_agreement_types data_standard_agreement_types_developer_agreement_type_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.data_standard_agreement_types
    ADD CONSTRAINT data_standard_agreement_types_developer_agreement_type_fkey FOREIGN KEY (developer_agreement_type) REFERENCES public.developer_agreement_types(code);

-- Name: data_standard_entry_kinds data_standard_entry_kinds_funding_status_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.data_standard_entry_kinds
    ADD CONSTRAINT data_standard_entry_kinds_funding_status_fkey FOREIGN KEY (funding_status) REFERENCES public.contribution_funding_statuses(code);

-- Name: development_home_totals development_home_totals_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.development_home_totals
    ADD CONSTRAINT development_home_totals_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: document_blob_chunks document_blob_chunks_sha256_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_blob_chunks
    ADD CONSTRAINT document_blob_chunks_sha256_fkey FOREIGN KEY (sha256) REFERENCES public.document_blobs(sha256);

-- Name: document_texts document_texts_sha256_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_texts
    ADD CONSTRAINT document_texts_sha256_fkey FOREIGN KEY (sha256) REFERENCES public.document_blobs(sha256);

-- Name: document_versions document_versions_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_document_id_fkey FOREIGN KEY (document_id) REFERENCES public.documents(id);

-- Name: document_versions document_versions_sha256_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_sha256_fkey FOREIGN KEY (sha256) REFERENCES public.document_blobs(sha256);

-- Name: document_versions document_versions_uploaded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.document_versions
    ADD CONSTRAINT document_versions_uploaded_by_fkey FOREIGN KEY (uploaded_by) REFERENCES public.users(id);

-- Name: documents documents_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_agreement_id_fkey FOREIGN KEY (agreement_id) REFERENCES public.agreements(id);

-- Name: documents documents_archived_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_archived_by_fkey FOREIGN KEY (archived_by) REFERENCES public.users(id);

-- Name: documents documents_home_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_home_event_id_fkey FOREIGN KEY (home_event_id) REFERENCES public.home_events(id);

-- Name: documents documents_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: documents documents_ledger_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_ledger_entry_id_fkey FOREIGN KEY (ledger_entry_id) REFERENCES public.ledger_entries(id);

-- Name: documents documents_obligation_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_obligation_event_id_fkey FOREIGN KEY (obligation_event_id) REFERENCES public.obligation_events(id);

-- Name: documents documents_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: documents documents_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: documents documents_public_version_fk; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_public_version_fk FOREIGN KEY (public_version_id, id) REFERENCES public.document_versions(id, document_id) DEFERRABLE;

-- Name: home_event_dates home_event_dates_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_event_dates
    ADD CONSTRAINT home_event_dates_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: home_events home_events_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: home_events home_events_new_tenure_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_new_tenure_fkey FOREIGN KEY (new_tenure) REFERENCES public.tenure_products(code);

-- Name: home_events home_events_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: home_events home_events_registered_provider_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_registered_provider_id_fkey FOREIGN KEY (registered_provider_id) REFERENCES public.registered_providers(id);

-- Name: home_events home_events_reverses_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.home_events
    ADD CONSTRAINT home_events_reverses_id_fkey FOREIGN KEY (reverses_id) REFERENCES public.home_events(id);

-- Name: homes homes_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.homes
    ADD CONSTRAINT homes_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: homes homes_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.homes
    ADD CONSTRAINT homes_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: homes homes_registered_provider_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.homes
    ADD CONSTRAINT homes_registered_provider_id_fkey FOREIGN KEY (registered_provider_id) REFERENCES public.registered_providers(id);

-- Name: homes homes_tenure_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.homes
    ADD CONSTRAINT homes_tenure_fkey FOREIGN KEY (tenure) REFERENCES public.tenure_products(code);

-- Name: housing_verifications housing_verifications_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.housing_verifications
    ADD CONSTRAINT housing_verifications_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: housing_verifications housing_verifications_verified_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.housing_verifications
    ADD CONSTRAINT housing_verifications_verified_by_fkey FOREIGN KEY (verified_by) REFERENCES public.users(id);

-- Name: ifs_publication_files ifs_publication_files_publication_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_publication_files
    ADD CONSTRAINT ifs_publication_files_publication_id_fkey FOREIGN KEY (publication_id) REFERENCES public.ifs_publications(id);

-- Name: ifs_publications ifs_publications_published_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_publications
    ADD CONSTRAINT ifs_publications_published_by_fkey FOREIGN KEY (published_by) REFERENCES public.users(id);

-- Name: ifs_year_totals ifs_year_totals_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ifs_year_totals
    ADD CONSTRAINT ifs_year_totals_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: import_mappings import_mappings_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_mappings
    ADD CONSTRAINT import_mappings_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

-- Name: import_runs import_runs_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_runs
    ADD CONSTRAINT import_runs_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

-- Name: import_uploads import_uploads_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.import_uploads
    ADD CONSTRAINT import_uploads_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

-- Name: index_values index_values_series_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.index_values
    ADD CONSTRAINT index_values_series_code_fkey FOREIGN KEY (series_code) REFERENCES public.index_series(code);

-- Name: infrastructure_list_items infrastructure_list_items_purpose_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.infrastructure_list_items
    ADD CONSTRAINT infrastructure_list_items_purpose_code_fkey FOREIGN KEY (purpose_code) REFERENCES public.contribution_purposes(code);

-- Name: job_runs job_runs_job_name_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.job_runs
    ADD CONSTRAINT job_runs_job_name_fkey FOREIGN KEY (job_name) REFERENCES public.scheduler_jobs(name);

-- Name: ledger_entries ledger_entries_index_series_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_index_series_fkey FOREIGN KEY (index_series) REFERENCES public.index_series(code);

-- Name: ledger_entries ledger_entries_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: ledger_entries ledger_entries_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: ledger_entries ledger_entries_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.receipts(id);

-- Name: ledger_entries ledger_entries_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: ledger_entries ledger_entries_reverses_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_reverses_id_fkey FOREIGN KEY (reverses_id) REFERENCES public.ledger_entries(id);

-- Name: ledger_year_totals ledger_year_totals_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.ledger_year_totals
    ADD CONSTRAINT ledger_year_totals_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: letter_settings letter_settings_logo_sha256_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letter_settings
    ADD CONSTRAINT letter_settings_logo_sha256_fkey FOREIGN KEY (logo_sha256) REFERENCES public.document_blobs(sha256);

-- Name: letter_templates letter_templates_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letter_templates
    ADD CONSTRAINT letter_templates_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

-- Name: letters letters_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_document_id_fkey FOREIGN KEY (document_id) REFERENCES public.documents(id);

-- Name: letters letters_issued_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_issued_by_fkey FOREIGN KEY (issued_by) REFERENCES public.users(id);

-- Name: letters letters_ledger_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_ledger_entry_id_fkey FOREIGN KEY (ledger_entry_id) REFERENCES public.ledger_entries(id);

-- Name: letters letters_obligation_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_obligation_event_id_fkey FOREIGN KEY (obligation_event_id) REFERENCES public.obligation_events(id);

-- Name: letters letters_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: mail_outbox_attachments mail_outbox_attachments_document_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.mail_outbox_attachments
    ADD CONSTRAINT mail_outbox_attachments_document_version_id_fkey FOREIGN KEY (document_version_id) REFERENCES public.document_versions(id);

-- Name: mail_outbox_attachments mail_outbox_attachments_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.mail_outbox_attachments
    ADD CONSTRAINT mail_outbox_attachments_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.mail_outbox(id);

-- Name: market_occupation_counts market_occupation_counts_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.market_occupation_counts
    ADD CONSTRAINT market_occupation_counts_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: market_occupation_counts market_occupation_counts_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.market_occupation_counts
    ADD CONSTRAINT market_occupation_counts_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: obligation_event_dates obligation_event_dates_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_event_dates
    ADD CONSTRAINT obligation_event_dates_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_events obligation_events_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_events
    ADD CONSTRAINT obligation_events_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_events obligation_events_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_events
    ADD CONSTRAINT obligation_events_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: obligation_events obligation_events_reverses_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_events
    ADD CONSTRAINT obligation_events_reverses_id_fkey FOREIGN KEY (reverses_id) REFERENCES public.obligation_events(id);

-- Name: obligation_ledger_totals obligation_ledger_totals_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_ledger_totals
    ADD CONSTRAINT obligation_ledger_totals_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_project_totals obligation_project_totals_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_project_totals
    ADD CONSTRAINT obligation_project_totals_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_project_totals obligation_project_totals_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_project_totals
    ADD CONSTRAINT obligation_project_totals_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: obligation_states obligation_states_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_states
    ADD CONSTRAINT obligation_states_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_variations obligation_variations_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_variations
    ADD CONSTRAINT obligation_variations_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: obligation_variations obligation_variations_variation_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligation_variations
    ADD CONSTRAINT obligation_variations_variation_agreement_id_fkey FOREIGN KEY (variation_agreement_id) REFERENCES public.agreements(id);

-- Name: obligations obligations_agreement_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligations
    ADD CONSTRAINT obligations_agreement_id_fkey FOREIGN KEY (agreement_id) REFERENCES public.agreements(id);

-- Name: obligations obligations_index_series_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligations
    ADD CONSTRAINT obligations_index_series_fkey FOREIGN KEY (index_series) REFERENCES public.index_series(code);

-- Name: obligations obligations_purpose_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.obligations
    ADD CONSTRAINT obligations_purpose_code_fkey FOREIGN KEY (purpose_code) REFERENCES public.contribution_purposes(code);

-- Name: pending_changes pending_changes_decided_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.pending_changes
    ADD CONSTRAINT pending_changes_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.users(id);

-- Name: pending_changes pending_changes_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.pending_changes
    ADD CONSTRAINT pending_changes_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: pending_changes pending_changes_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.pending_changes
    ADD CONSTRAINT pending_changes_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: pending_changes pending_changes_link_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.pending_changes
    ADD CONSTRAINT pending_changes_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.capability_links(id);

-- Name: planning_applications planning_applications_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.planning_applications
    ADD CONSTRAINT planning_applications_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: price_paid_matches price_paid_matches_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.price_paid_matches
    ADD CONSTRAINT price_paid_matches_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: price_paid_matches price_paid_matches_transaction_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.price_paid_matches
    ADD CONSTRAINT price_paid_matches_transaction_id_fkey FOREIGN KEY (transaction_id) REFERENCES public.price_paid_sales(transaction_id) ON DELETE CASCADE;

-- Name: project_ledger_totals project_ledger_totals_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.project_ledger_totals
    ADD CONSTRAINT project_ledger_totals_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

-- Name: projects projects_purpose_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_purpose_code_fkey FOREIGN KEY (purpose_code) REFERENCES public.contribution_purposes(code);

-- Name: provider_return_answers provider_return_answers_home_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_answers
    ADD CONSTRAINT provider_return_answers_home_id_fkey FOREIGN KEY (home_id) REFERENCES public.homes(id);

-- Name: provider_return_answers provider_return_answers_link_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_answers
    ADD CONSTRAINT provider_return_answers_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.capability_links(id);

-- Name: provider_return_answers provider_return_answers_provider_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_answers
    ADD CONSTRAINT provider_return_answers_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES public.registered_providers(id);

-- Name: provider_return_answers provider_return_answers_return_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_answers
    ADD CONSTRAINT provider_return_answers_return_id_fkey FOREIGN KEY (return_id) REFERENCES public.provider_returns(id);

-- Name: provider_return_requests provider_return_requests_link_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_requests
    ADD CONSTRAINT provider_return_requests_link_id_fkey FOREIGN KEY (link_id) REFERENCES public.capability_links(id);

-- Name: provider_return_requests provider_return_requests_provider_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_requests
    ADD CONSTRAINT provider_return_requests_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES public.registered_providers(id);

-- Name: provider_return_requests provider_return_requests_return_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_return_requests
    ADD CONSTRAINT provider_return_requests_return_id_fkey FOREIGN KEY (return_id) REFERENCES public.provider_returns(id);

-- Name: provider_returns provider_returns_opened_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.provider_returns
    ADD CONSTRAINT provider_returns_opened_by_fkey FOREIGN KEY (opened_by) REFERENCES public.users(id);

-- Name: receipt_share_deadlines receipt_share_deadlines_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_deadlines
    ADD CONSTRAINT receipt_share_deadlines_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES public.ledger_entries(id);

-- Name: receipt_share_deadlines receipt_share_deadlines_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_deadlines
    ADD CONSTRAINT receipt_share_deadlines_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: receipt_share_deadlines receipt_share_deadlines_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_deadlines
    ADD CONSTRAINT receipt_share_deadlines_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.receipts(id);

-- Name: receipt_share_positions receipt_share_positions_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_positions
    ADD CONSTRAINT receipt_share_positions_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES public.ledger_entries(id);

-- Name: receipt_share_positions receipt_share_positions_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_positions
    ADD CONSTRAINT receipt_share_positions_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: receipt_share_positions receipt_share_positions_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipt_share_positions
    ADD CONSTRAINT receipt_share_positions_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.receipts(id);

-- Name: receipts receipts_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.receipts
    ADD CONSTRAINT receipts_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: security_events security_events_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

-- Name: sso_identities sso_identities_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_identities
    ADD CONSTRAINT sso_identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

-- Name: sso_sessions sso_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.sso_sessions
    ADD CONSTRAINT sso_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

-- Name: subscription_unsubscribe_tokens subscription_unsubscribe_tokens_subscription_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.subscription_unsubscribe_tokens
    ADD CONSTRAINT subscription_unsubscribe_tokens_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES public.subscriptions(id);

-- Name: subscriptions subscriptions_development_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_development_id_fkey FOREIGN KEY (development_id) REFERENCES public.developments(id);

-- Name: suspense_entries suspense_entries_ledger_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.suspense_entries
    ADD CONSTRAINT suspense_entries_ledger_entry_id_fkey FOREIGN KEY (ledger_entry_id) REFERENCES public.ledger_entries(id);

-- Name: suspense_entries suspense_entries_obligation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.suspense_entries
    ADD CONSTRAINT suspense_entries_obligation_id_fkey FOREIGN KEY (obligation_id) REFERENCES public.obligations(id);

-- Name: suspense_entries suspense_entries_receipt_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.suspense_entries
    ADD CONSTRAINT suspense_entries_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES public.receipts(id);

-- Name: suspense_entries suspense_entries_recorded_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.suspense_entries
    ADD CONSTRAINT suspense_entries_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.users(id);

-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -

GRANT USAGE ON SCHEMA public TO s106_app;

-- Name: TABLE affordable_mix_lines; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.affordable_mix_lines TO s106_app;

-- Name: TABLE affordable_mixes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.affordable_mixes TO s106_app;

-- Name: TABLE agreement_applications; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.agreement_applications TO s106_app;

-- Name: TABLE agreement_parties; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.agreement_parties TO s106_app;

-- Name: TABLE agreements; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.agreements TO s106_app;

-- Name: SEQUENCE agreements_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.agreements_id_seq TO s106_app;

-- Name: TABLE alert_digests; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.alert_digests TO s106_app;

-- Name: TABLE alert_recipients; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.alert_recipients TO s106_app;

-- Name: TABLE alert_rules; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.alert_rules TO s106_app;

-- Name: TABLE alerts; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.alerts TO s106_app;

-- Name: SEQUENCE alerts_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.alerts_id_seq TO s106_app;

-- Name: TABLE api_tokens; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.api_tokens TO s106_app;

-- Name: SEQUENCE api_tokens_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.api_tokens_id_seq TO s106_app;

-- Name: TABLE areas; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.areas TO s106_app;

-- Name: TABLE audit_events; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.audit_events TO s106_app;

-- Name: SEQUENCE audit_events_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.audit_events_id_seq TO s106_app;

-- Name: TABLE calendar_feeds; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.calendar_feeds TO s106_app;

-- Name: SEQUENCE calendar_feeds_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.calendar_feeds_id_seq TO s106_app;

-- Name: TABLE capability_link_hits; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.capability_link_hits TO s106_app;

-- Name: TABLE capability_links; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.capability_links TO s106_app;

-- Name: SEQUENCE capability_links_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.capability_links_id_seq TO s106_app;

-- Name: TABLE cil_base_rates; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_base_rates TO s106_app;

-- Name: TABLE cil_charges; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_charges TO s106_app;

-- Name: SEQUENCE cil_charges_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_charges_id_seq TO s106_app;

-- Name: TABLE cil_commencements; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_commencements TO s106_app;

-- Name: SEQUENCE cil_commencements_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_commencements_id_seq TO s106_app;

-- Name: TABLE cil_demand_contributions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_demand_contributions TO s106_app;

-- Name: SEQUENCE cil_demand_contributions_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_demand_contributions_id_seq TO s106_app;

-- Name: TABLE cil_demand_list_keys; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_demand_list_keys TO s106_app;

-- Name: TABLE cil_instalments; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_instalments TO s106_app;

-- Name: TABLE cil_ledger_entries; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_ledger_entries TO s106_app;

-- Name: TABLE cil_ledger_effective; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_ledger_effective TO s106_app;

-- Name: TABLE cil_receipt_instalments; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_receipt_instalments TO s106_app;

-- Name: TABLE cil_instalment_paid_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_instalment_paid_computed TO s106_app;

-- Name: TABLE cil_demand_list_keys_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_demand_list_keys_computed TO s106_app;

-- Name: TABLE cil_instalment_paid; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_instalment_paid TO s106_app;

-- Name: TABLE cil_demand_list_keys_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_demand_list_keys_drift TO s106_app;

-- Name: TABLE cil_demand_notices; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_demand_notices TO s106_app;

-- Name: SEQUENCE cil_demand_notices_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_demand_notices_id_seq TO s106_app;

-- Name: TABLE cil_developments; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_developments TO s106_app;

-- Name: TABLE cil_floor_areas; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_floor_areas TO s106_app;

-- Name: TABLE cil_liability_notices; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_liability_notices TO s106_app;

-- Name: TABLE cil_development_list_keys_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_development_list_keys_computed TO s106_app;

-- Name: TABLE cil_development_list_keys_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_development_list_keys_drift TO s106_app;

-- Name: TABLE cil_development_zones; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_development_zones TO s106_app;

-- Name: SEQUENCE cil_developments_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_developments_id_seq TO s106_app;

-- Name: SEQUENCE cil_floor_areas_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_floor_areas_id_seq TO s106_app;

-- Name: TABLE cil_floor_areas_in_use_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_floor_areas_in_use_drift TO s106_app;

-- Name: TABLE cil_instalment_policies; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_instalment_policies TO s106_app;

-- Name: SEQUENCE cil_instalment_policies_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_instalment_policies_id_seq TO s106_app;

-- Name: TABLE cil_instalment_rules; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_instalment_rules TO s106_app;

-- Name: SEQUENCE cil_instalments_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_instalments_id_seq TO s106_app;

-- Name: SEQUENCE cil_ledger_entries_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_ledger_entries_id_seq TO s106_app;

-- Name: SEQUENCE cil_liability_notices_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_liability_notices_id_seq TO s106_app;

-- Name: TABLE cil_parish_half_dues; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_half_dues TO s106_app;

-- Name: TABLE cil_parishes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parishes TO s106_app;

-- Name: TABLE cil_pot_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_pot_totals TO s106_app;

-- Name: TABLE cil_parish_dues; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_dues TO s106_app;

-- Name: TABLE cil_parish_dwellings; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_dwellings TO s106_app;

-- Name: TABLE cil_receipt_portions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_receipt_portions TO s106_app;

-- Name: TABLE cil_parish_half_dues_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_half_dues_computed TO s106_app;

-- Name: TABLE cil_parish_half_dues_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_half_dues_drift TO s106_app;

-- Name: TABLE cil_parish_reports; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parish_reports TO s106_app;

-- Name: SEQUENCE cil_parish_reports_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_parish_reports_id_seq TO s106_app;

-- Name: TABLE cil_parties; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_parties TO s106_app;

-- Name: SEQUENCE cil_parties_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_parties_id_seq TO s106_app;

-- Name: TABLE cil_pot_movements; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_pot_movements TO s106_app;

-- Name: TABLE cil_pot_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_pot_totals_computed TO s106_app;

-- Name: TABLE cil_project_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_project_totals TO s106_app;

-- Name: TABLE cil_project_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_project_totals_computed TO s106_app;

-- Name: TABLE cil_rates; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_rates TO s106_app;

-- Name: SEQUENCE cil_rates_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_rates_id_seq TO s106_app;

-- Name: TABLE cil_recovery_notices; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.cil_recovery_notices TO s106_app;

-- Name: SEQUENCE cil_recovery_notices_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_recovery_notices_id_seq TO s106_app;

-- Name: TABLE cil_reliefs; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_reliefs TO s106_app;

-- Name: SEQUENCE cil_reliefs_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_reliefs_id_seq TO s106_app;

-- Name: TABLE cil_schedules; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_schedules TO s106_app;

-- Name: SEQUENCE cil_schedules_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_schedules_id_seq TO s106_app;

-- Name: TABLE cil_totals_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_totals_drift TO s106_app;

-- Name: TABLE cil_zones; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.cil_zones TO s106_app;

-- Name: SEQUENCE cil_zones_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.cil_zones_id_seq TO s106_app;

-- Name: TABLE company_statuses; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.company_statuses TO s106_app;

-- Name: TABLE contribution_funding_statuses; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.contribution_funding_statuses TO s106_app;

-- Name: TABLE contribution_purposes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.contribution_purposes TO s106_app;

-- Name: TABLE data_standard_agreement_types; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.data_standard_agreement_types TO s106_app;

-- Name: TABLE data_standard_entry_kinds; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.data_standard_entry_kinds TO s106_app;

-- Name: TABLE data_version; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.data_version TO s106_app;

-- Name: TABLE home_event_dates; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.home_event_dates TO s106_app;

-- Name: TABLE homes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.homes TO s106_app;

-- Name: TABLE market_occupation_counts; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.market_occupation_counts TO s106_app;

-- Name: TABLE obligations; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligations TO s106_app;

-- Name: TABLE obligation_agreed_homes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_agreed_homes TO s106_app;

-- Name: TABLE delivery_trigger_numbers; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.delivery_trigger_numbers TO s106_app;

-- Name: TABLE home_events; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.home_events TO s106_app;

-- Name: TABLE home_events_effective; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.home_events_effective TO s106_app;

-- Name: TABLE home_event_dates_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.home_event_dates_computed TO s106_app;

-- Name: TABLE ledger_entries; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.ledger_entries TO s106_app;

-- Name: TABLE ledger_effective; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ledger_effective TO s106_app;

-- Name: TABLE obligation_ledger_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_ledger_totals TO s106_app;

-- Name: TABLE obligation_balances; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_balances TO s106_app;

-- Name: TABLE obligation_event_dates; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_event_dates TO s106_app;

-- Name: TABLE obligation_events; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.obligation_events TO s106_app;

-- Name: TABLE obligation_events_effective; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_events_effective TO s106_app;

-- Name: TABLE obligation_event_dates_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_event_dates_computed TO s106_app;

-- Name: TABLE obligation_ledger_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_ledger_totals_computed TO s106_app;

-- Name: TABLE obligation_project_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_project_totals TO s106_app;

-- Name: TABLE obligation_project_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_project_totals_computed TO s106_app;

-- Name: TABLE obligation_states; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_states TO s106_app;

-- Name: TABLE obligation_status; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_status TO s106_app;

-- Name: TABLE project_ledger_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.project_ledger_totals TO s106_app;

-- Name: TABLE project_ledger_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.project_ledger_totals_computed TO s106_app;

-- Name: TABLE receipt_share_positions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_share_positions TO s106_app;

-- Name: TABLE receipt_share_balances; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_share_balances TO s106_app;

-- Name: TABLE receipt_share_deadlines; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_share_deadlines TO s106_app;

-- Name: TABLE receipt_share_deadlines_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_share_deadlines_computed TO s106_app;

-- Name: TABLE receipt_share_positions_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_share_positions_computed TO s106_app;

-- Name: TABLE derived_totals_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.derived_totals_drift TO s106_app;

-- Name: TABLE developer_agreement_types; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.developer_agreement_types TO s106_app;

-- Name: TABLE organisations; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.organisations TO s106_app;

-- Name: TABLE developer_insolvency; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.developer_insolvency TO s106_app;

-- Name: TABLE development_home_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.development_home_totals TO s106_app;

-- Name: TABLE development_home_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.development_home_totals_computed TO s106_app;

-- Name: TABLE developments; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.developments TO s106_app;

-- Name: TABLE postcodes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.postcodes TO s106_app;

-- Name: TABLE development_places; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.development_places TO s106_app;

-- Name: SEQUENCE developments_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.developments_id_seq TO s106_app;

-- Name: TABLE document_blob_chunks; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.document_blob_chunks TO s106_app;

-- Name: TABLE document_blobs; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.document_blobs TO s106_app;

-- Name: TABLE document_texts; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.document_texts TO s106_app;

-- Name: TABLE document_versions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.document_versions TO s106_app;

-- Name: SEQUENCE document_versions_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.document_versions_id_seq TO s106_app;

-- Name: TABLE documents; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,UPDATE ON TABLE public.documents TO s106_app;

-- Name: SEQUENCE documents_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.documents_id_seq TO s106_app;

-- Name: TABLE goose_db_version; Type: ACL; Schema: public; Owner: -

GRANT SELECT ON TABLE public.goose_db_version TO s106_app;

-- Name: SEQUENCE goose_db_version_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.goose_db_version_id_seq TO s106_app;

-- Name: SEQUENCE home_events_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.home_events_id_seq TO s106_app;

-- Name: TABLE home_state; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.home_state TO s106_app;

-- Name: TABLE registered_providers; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.registered_providers TO s106_app;

-- Name: TABLE tenure_products; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tenure_products TO s106_app;

-- Name: TABLE home_list_keys_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.home_list_keys_drift TO s106_app;

-- Name: SEQUENCE homes_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.homes_id_seq TO s106_app;

-- Name: TABLE housing_verifications; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.housing_verifications TO s106_app;

-- Name: SEQUENCE housing_verifications_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.housing_verifications_id_seq TO s106_app;

-- Name: TABLE ifs_publication_files; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.ifs_publication_files TO s106_app;

-- Name: TABLE ifs_publications; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.ifs_publications TO s106_app;

-- Name: SEQUENCE ifs_publications_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.ifs_publications_id_seq TO s106_app;

-- Name: TABLE ifs_year_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ifs_year_totals TO s106_app;

-- Name: TABLE projects; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.projects TO s106_app;

-- Name: TABLE ifs_year_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ifs_year_totals_computed TO s106_app;

-- Name: TABLE ifs_year_totals_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ifs_year_totals_drift TO s106_app;

-- Name: TABLE import_mappings; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.import_mappings TO s106_app;

-- Name: SEQUENCE import_mappings_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.import_mappings_id_seq TO s106_app;

-- Name: TABLE import_runs; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.import_runs TO s106_app;

-- Name: SEQUENCE import_runs_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.import_runs_id_seq TO s106_app;

-- Name: TABLE import_uploads; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.import_uploads TO s106_app;

-- Name: TABLE index_series; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.index_series TO s106_app;

-- Name: TABLE index_values; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.index_values TO s106_app;

-- Name: TABLE infrastructure_list_items; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.infrastructure_list_items TO s106_app;

-- Name: SEQUENCE infrastructure_list_items_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.infrastructure_list_items_id_seq TO s106_app;

-- Name: TABLE job_runs; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.job_runs TO s106_app;

-- Name: SEQUENCE job_runs_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.job_runs_id_seq TO s106_app;

-- Name: SEQUENCE ledger_entries_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.ledger_entries_id_seq TO s106_app;

-- Name: TABLE ledger_year_totals; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ledger_year_totals TO s106_app;

-- Name: TABLE ledger_year_totals_computed; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.ledger_year_totals_computed TO s106_app;

-- Name: TABLE letter_settings; Type: ACL; Schema: public; Owner: -

GRANT SELECT,UPDATE ON TABLE public.letter_settings TO s106_app;

-- Name: TABLE letter_templates; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.letter_templates TO s106_app;

-- Name: TABLE letters; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.letters TO s106_app;

-- Name: SEQUENCE letters_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.letters_id_seq TO s106_app;

-- Name: TABLE login_throttle; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.login_throttle TO s106_app;

-- Name: TABLE mail_outbox; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mail_outbox TO s106_app;

-- Name: TABLE mail_outbox_attachments; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.mail_outbox_attachments TO s106_app;

-- Name: SEQUENCE mail_outbox_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.mail_outbox_id_seq TO s106_app;

-- Name: SEQUENCE market_occupation_counts_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.market_occupation_counts_id_seq TO s106_app;

-- Name: SEQUENCE obligation_events_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.obligation_events_id_seq TO s106_app;

-- Name: TABLE obligation_variations; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.obligation_variations TO s106_app;

-- Name: SEQUENCE obligations_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.obligations_id_seq TO s106_app;

-- Name: SEQUENCE organisations_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.organisations_id_seq TO s106_app;

-- Name: TABLE pending_changes; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.pending_changes TO s106_app;

-- Name: SEQUENCE pending_changes_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.pending_changes_id_seq TO s106_app;

-- Name: TABLE planning_applications; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.planning_applications TO s106_app;

-- Name: SEQUENCE planning_applications_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.planning_applications_id_seq TO s106_app;

-- Name: TABLE price_paid_matches; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.price_paid_matches TO s106_app;

-- Name: TABLE price_paid_sales; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.price_paid_sales TO s106_app;

-- Name: SEQUENCE projects_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.projects_id_seq TO s106_app;

-- Name: TABLE provider_return_answers; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.provider_return_answers TO s106_app;

-- Name: SEQUENCE provider_return_answers_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.provider_return_answers_id_seq TO s106_app;

-- Name: TABLE provider_return_requests; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.provider_return_requests TO s106_app;

-- Name: TABLE provider_returns; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.provider_returns TO s106_app;

-- Name: SEQUENCE provider_returns_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.provider_returns_id_seq TO s106_app;

-- Name: TABLE receipt_shares_paid_early; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.receipt_shares_paid_early TO s106_app;

-- Name: TABLE receipts; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.receipts TO s106_app;

-- Name: SEQUENCE receipts_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.receipts_id_seq TO s106_app;

-- Name: SEQUENCE registered_providers_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.registered_providers_id_seq TO s106_app;

-- Name: TABLE rsh_register; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.rsh_register TO s106_app;

-- Name: TABLE scheduler_jobs; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.scheduler_jobs TO s106_app;

-- Name: TABLE schema_definitions; Type: ACL; Schema: public; Owner: -

GRANT SELECT ON TABLE public.schema_definitions TO s106_app;

-- Name: TABLE security_events; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.security_events TO s106_app;

-- Name: SEQUENCE security_events_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.security_events_id_seq TO s106_app;

-- Name: TABLE sessions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sessions TO s106_app;

-- Name: TABLE sso_identities; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sso_identities TO s106_app;

-- Name: TABLE sso_logout_tokens; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sso_logout_tokens TO s106_app;

-- Name: TABLE sso_role_mappings; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sso_role_mappings TO s106_app;

-- Name: SEQUENCE sso_role_mappings_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.sso_role_mappings_id_seq TO s106_app;

-- Name: TABLE sso_sessions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sso_sessions TO s106_app;

-- Name: TABLE subscription_unsubscribe_tokens; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.subscription_unsubscribe_tokens TO s106_app;

-- Name: TABLE subscriptions; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.subscriptions TO s106_app;

-- Name: SEQUENCE subscriptions_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.subscriptions_id_seq TO s106_app;

-- Name: TABLE suspense_entries; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT ON TABLE public.suspense_entries TO s106_app;

-- Name: TABLE suspense_balances; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.suspense_balances TO s106_app;

-- Name: SEQUENCE suspense_entries_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.suspense_entries_id_seq TO s106_app;

-- Name: TABLE suspicious_sales; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.suspicious_sales TO s106_app;

-- Name: TABLE users; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO s106_app;

-- Name: SEQUENCE users_id_seq; Type: ACL; Schema: public; Owner: -

GRANT SELECT,USAGE ON SEQUENCE public.users_id_seq TO s106_app;

-- Name: TABLE year_totals_drift; Type: ACL; Schema: public; Owner: -

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.year_totals_drift TO s106_app;

-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: -

ALTER DEFAULT PRIVILEGES FOR ROLE s106_owner IN SCHEMA public GRANT SELECT,USAGE ON SEQUENCES  TO s106_app;

-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: -

ALTER DEFAULT PRIVILEGES FOR ROLE s106_owner IN SCHEMA public GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO s106_app;

