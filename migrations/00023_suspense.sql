-- +goose Up
-- Overpayments are held in suspense, not secured.
--
-- The part of a payment above what was invoiced (what the obligation has
-- been asked for and not yet paid) is not money received under the
-- planning obligation: it has no spend-by deadline and counts in no item
-- of the Infrastructure Funding Statement. It is held in suspense against
-- its payment until it is refunded to the payer or assigned to an
-- obligation, with a reason.
--
-- suspense_entries is append-only, per payment (receipt):
--   held        the overpaid part of a share, on the date received
--   refund      paid back to the payer
--   assignment  moved to an obligation, as a receipt share (ledger entry)
--               of the same payment, dated on the assignment
-- A payment's total is its standing receipt shares plus what was held less
-- what was assigned (check_receipt_split), and its suspense balance (held
-- less refunded and assigned) is never below zero at any date
-- (check_suspense_balance), both checked at commit under a lock on the
-- payment, so concurrent refunds cannot overdraw it.

CREATE TABLE suspense_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    receipt_id      bigint NOT NULL REFERENCES receipts (id),
    kind            text NOT NULL CHECK (kind IN ('held', 'refund', 'assignment')),
    entry_date      date NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    -- held: the obligation that was overpaid; assignment: where it went.
    obligation_id   bigint REFERENCES obligations (id),
    ledger_entry_id bigint REFERENCES ledger_entries (id),
    reference       text NOT NULL DEFAULT '',
    reason          text NOT NULL DEFAULT '',
    recorded_by     bigint REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'refund' OR obligation_id IS NOT NULL),
    CHECK (kind = 'held' OR btrim(reason) <> ''),
    CHECK ((kind = 'assignment') = (ledger_entry_id IS NOT NULL))
);
CREATE INDEX suspense_entries_receipt_idx ON suspense_entries (receipt_id, entry_date);

CREATE TRIGGER suspense_entries_append_only
    BEFORE UPDATE OR DELETE ON suspense_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Each payment's suspense, from its entries.
CREATE VIEW suspense_balances AS
SELECT s.receipt_id,
       min(s.entry_date) FILTER (WHERE s.kind = 'held')              AS held_since,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'held'), 0)       AS held,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'refund'), 0)     AS refunded,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'assignment'), 0) AS assigned,
       coalesce(sum(CASE s.kind WHEN 'held' THEN s.amount ELSE -s.amount END), 0) AS balance
FROM suspense_entries s
GROUP BY s.receipt_id;

-- +goose StatementBegin
-- A payment's shares plus what it holds in suspense (held less assigned:
-- an assigned amount became a share) add up to its total.
CREATE OR REPLACE FUNCTION check_receipt_split() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- Suspense is never below zero: at no date is more refunded and assigned
-- than was held. A transaction-scoped advisory lock per payment comes
-- first, so two refunds of the same money check one after the other. (Not
-- a row lock on receipts: that needs UPDATE on an append-only table, which
-- the server's role does not have.)
CREATE FUNCTION check_suspense_balance() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER suspense_entries_split_check
    AFTER INSERT ON suspense_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_receipt_split();

CREATE CONSTRAINT TRIGGER suspense_entries_balance_check
    AFTER INSERT ON suspense_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_suspense_balance();

-- +goose Down
DROP TRIGGER suspense_entries_balance_check ON suspense_entries;
DROP TRIGGER suspense_entries_split_check ON suspense_entries;
DROP FUNCTION check_suspense_balance();
DROP VIEW suspense_balances;
DROP TABLE suspense_entries;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION check_receipt_split() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd
