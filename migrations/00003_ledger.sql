-- +goose Up
-- The money ledger: index values, projects, receipts (split across
-- obligations) and append-only ledger entries, with the invariants
-- enforced here as well as in Go.
--
-- How the invariants hold under concurrency: the balance checks are
-- DEFERRABLE INITIALLY DEFERRED constraint triggers. At commit each one
-- first locks the obligation row (SELECT … FOR NO KEY UPDATE, which does not
-- conflict with the key-share locks the entries' foreign keys take), so two transactions
-- writing money for one obligation check one after the other; under READ
-- COMMITTED the second check's query takes a fresh snapshot after the lock
-- is granted and so sees the first transaction's committed entries. Two
-- spends that would together overdraw cannot both commit.

CREATE TABLE index_values (
    series_code text NOT NULL REFERENCES index_series (code),
    period      date NOT NULL CHECK (extract(day FROM period) = 1),
    value       numeric(12,4) NOT NULL CHECK (value > 0),
    source      text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (series_code, period)
);

CREATE TABLE projects (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL CHECK (btrim(name) <> ''),
    description         text NOT NULL DEFAULT '',
    service_area        text NOT NULL DEFAULT '',
    purpose_code        text NOT NULL REFERENCES contribution_purposes (code),
    expected_spend_date date,
    status              text NOT NULL DEFAULT 'proposed'
                        CHECK (status IN ('proposed', 'approved', 'in-progress', 'completed', 'cancelled')),
    archived_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX projects_name_key ON projects (lower(name));

-- One payment from a developer. Its shares are ledger entries of kind
-- 'receipt', one per obligation, which must add up to the total.
CREATE TABLE receipts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_on date NOT NULL,
    payer       text NOT NULL CHECK (btrim(payer) <> ''),
    finance_ref text NOT NULL DEFAULT '',
    total       numeric(14,2) NOT NULL CHECK (total > 0),
    note        text NOT NULL DEFAULT '',
    recorded_by bigint REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receipts_received_idx ON receipts (received_on);
CREATE INDEX receipts_finance_ref_idx ON receipts (upper(finance_ref));

CREATE TRIGGER receipts_append_only
    BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE ledger_entries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    obligation_id     bigint NOT NULL REFERENCES obligations (id),
    kind              text NOT NULL CHECK (kind IN
                      ('invoice', 'receipt', 'allocation', 'deallocation', 'spend', 'return', 'reversal')),
    entry_date        date NOT NULL,
    amount            numeric(14,2) NOT NULL CHECK (amount > 0),
    receipt_id        bigint REFERENCES receipts (id),
    project_id        bigint REFERENCES projects (id),
    interest          numeric(14,2) CHECK (interest >= 0),
    reference         text NOT NULL DEFAULT '',
    evidence          text NOT NULL DEFAULT '',
    note              text NOT NULL DEFAULT '',
    -- An invoice keeps how its amount was calculated.
    base_amount       numeric(14,2) CHECK (base_amount > 0),
    index_series      text REFERENCES index_series (code),
    base_index_date   date,
    base_index_value  numeric(12,4) CHECK (base_index_value > 0),
    calc_index_date   date,
    calc_index_value  numeric(12,4) CHECK (calc_index_value > 0),
    calculated_amount numeric(14,2) CHECK (calculated_amount > 0),
    override_reason   text NOT NULL DEFAULT '',
    due_date          date,
    reverses_id       bigint UNIQUE REFERENCES ledger_entries (id),
    recorded_by       bigint REFERENCES users (id),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'receipt') = (receipt_id IS NOT NULL)),
    CHECK ((kind IN ('allocation', 'deallocation', 'spend')) = (project_id IS NOT NULL)),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    CHECK (kind = 'return' OR interest IS NULL),
    CHECK (kind <> 'reversal' OR btrim(note) <> ''),
    -- An invoice amount that differs from the calculation needs a reason.
    CHECK (calculated_amount IS NULL OR amount = calculated_amount OR btrim(override_reason) <> '')
);
CREATE INDEX ledger_entries_obligation_idx ON ledger_entries (obligation_id, entry_date, id);
CREATE INDEX ledger_entries_receipt_idx ON ledger_entries (receipt_id);
CREATE INDEX ledger_entries_project_idx ON ledger_entries (project_id, entry_date);

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Entries that stand: not reversals, and not reversed.
CREATE VIEW ledger_effective AS
SELECT e.*
FROM ledger_entries e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id);

-- +goose StatementBegin
-- A reversal names an entry of the same obligation that is not itself a
-- reversal, and carries the same amount.
CREATE FUNCTION check_ledger_reversal() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- The shares of a receipt add up to its total (checked at commit, so the
-- receipt and its shares are written in one transaction).
CREATE FUNCTION check_receipt_split() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF got <> want THEN
        RAISE EXCEPTION 'receipt % is split into shares totalling %, not its total %', rid, got, want
            USING ERRCODE = 'check_violation', CONSTRAINT = 'receipt_split_sums_to_total';
    END IF;
    RETURN NULL;
END;
$$;

-- The balance invariants for one obligation, at every date of its ledger:
-- returned <= received; allocated (net of de-allocations) <= received -
-- returned; spent <= allocated; and for each project, what it spent of this
-- obligation's money <= what was allocated to it. Checking at every date
-- also means nothing is allocated or spent before it was received.
CREATE FUNCTION check_ledger_balances() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd

CREATE TRIGGER ledger_entries_reversal_check
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION check_ledger_reversal();

CREATE CONSTRAINT TRIGGER receipts_split_check
    AFTER INSERT ON receipts DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_receipt_split();

CREATE CONSTRAINT TRIGGER ledger_entries_split_check
    AFTER INSERT ON ledger_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.kind = 'receipt')
    EXECUTE FUNCTION check_receipt_split();

CREATE CONSTRAINT TRIGGER ledger_entries_balance_check
    AFTER INSERT ON ledger_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_ledger_balances();

-- Money per obligation, from the standing entries.
CREATE VIEW obligation_balances AS
SELECT o.id AS obligation_id,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'invoice'), 0)    AS invoiced,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0)    AS received,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'allocation'), 0)
         - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'deallocation'), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0)      AS spent,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'return'), 0)     AS returned,
       coalesce(sum(e.interest) FILTER (WHERE e.kind = 'return'), 0)   AS interest_paid,
       min(e.entry_date) FILTER (WHERE e.kind = 'receipt')             AS first_received_on
FROM obligations o
LEFT JOIN ledger_effective e ON e.obligation_id = o.id
GROUP BY o.id;

-- The status now takes money into account. Same columns as before, plus
-- the balances, so existing queries keep working.
DROP VIEW obligation_status;
CREATE VIEW obligation_status AS
WITH ev AS (
    SELECT o.id AS obligation_id,
           max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
           max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
           max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on
    FROM obligations o
    LEFT JOIN obligation_events_effective e ON e.obligation_id = o.id
    GROUP BY o.id
)
SELECT ev.obligation_id, ev.trigger_met_on, ev.delivered_on, ev.discharged_on,
       b.invoiced, b.received, b.allocated, b.spent, b.returned, b.interest_paid,
       b.received - b.returned - b.spent AS held,
       CASE
           WHEN ev.discharged_on IS NOT NULL THEN 'discharged'
           WHEN b.returned > 0 AND b.returned >= b.received THEN 'returned'
           WHEN b.received > 0 AND b.spent >= b.received - b.returned THEN 'spent'
           WHEN b.spent > 0 THEN 'part-spent'
           WHEN b.allocated > 0 THEN 'allocated'
           WHEN b.received > 0 AND b.received < b.invoiced THEN 'part-paid'
           WHEN b.received > 0 THEN 'paid'
           WHEN b.invoiced > 0 THEN 'invoiced'
           WHEN ev.delivered_on IS NOT NULL THEN 'delivered'
           WHEN ev.trigger_met_on IS NOT NULL THEN 'triggered'
           ELSE 'pending'
       END AS status
FROM ev JOIN obligation_balances b ON b.obligation_id = ev.obligation_id;

-- Each standing receipt share with its spend-by deadline and what of it is
-- still unallocated and unspent. Money is consumed first received, first
-- used: returns take the oldest money first, then allocations and spend.
CREATE VIEW receipt_share_balances AS
WITH shares AS (
    SELECT e.id AS entry_id, e.obligation_id, e.receipt_id, e.entry_date AS received_on, e.amount,
           sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum_end
    FROM ledger_effective e
    WHERE e.kind = 'receipt'
)
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       CASE WHEN o.spend_by_months IS NULL THEN NULL
            ELSE (s.received_on + make_interval(months => o.spend_by_months))::date END AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM shares s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_balances b ON b.obligation_id = s.obligation_id;

-- +goose Down
DROP VIEW receipt_share_balances;
DROP VIEW obligation_status;
CREATE VIEW obligation_status AS
SELECT o.id AS obligation_id,
       max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
       max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
       max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on,
       CASE
           WHEN bool_or(e.kind = 'discharged') THEN 'discharged'
           WHEN bool_or(e.kind = 'delivered')  THEN 'delivered'
           WHEN bool_or(e.kind = 'trigger-met') THEN 'triggered'
           ELSE 'pending'
       END AS status
FROM obligations o
LEFT JOIN obligation_events_effective e ON e.obligation_id = o.id
GROUP BY o.id;
DROP VIEW obligation_balances;
DROP VIEW ledger_effective;
DROP TABLE ledger_entries;
DROP TABLE receipts;
DROP FUNCTION check_ledger_balances();
DROP FUNCTION check_receipt_split();
DROP FUNCTION check_ledger_reversal();
DROP TABLE projects;
DROP TABLE index_values;
