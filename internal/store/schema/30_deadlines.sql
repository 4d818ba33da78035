-- Deadlines: each receipt share's spend-by deadline and what of it is
-- unallocated, unspent and returned.
--
-- Figures defined here:
--   "unspent" and "unallocated" money, per receipt share, first received
--     first used: returns take the oldest money first, then allocations
--     and spend (receipt_share_balances, from the kept running totals of
--     10_ledger_totals.sql);
--   the spend-by deadline of each share (spend_by_deadline: the one rule,
--     following the agreement's clock: each payment, the final instalment,
--     a dated event or a fixed date);
--   the same kept per share, with the obligation's filters, for the
--     deadlines list (receipt_share_deadlines).
-- Pages that read them: the deadlines list and its RAG totals, the
-- dashboard's money at risk and timeline, the spend-by and unallocated
-- alerts, the obligation page's receipts, the calendar feeds, the IFS
-- (money retained). A share's RAG rating depends on today, so it is never
-- kept: it is worked out from the kept deadline (ledger.RateShare).
--
-- How they are kept: refresh_obligation_ledger_totals (10_ledger_totals.sql)
-- ends with refresh_receipt_share_deadlines for its obligations; a change
-- to an obligation's clock, amount, agreement, purpose or service area, or
-- to an agreement's reference, recomputes its shares. Re-applied after
-- every migrate (see 10_ledger_totals.sql for the rules).

-- A share has no deadline while the period is unknown, the final
-- instalment is not yet paid or the event has no date.
CREATE OR REPLACE FUNCTION spend_by_deadline(spend_from text, months integer, received_on date, start date, final_instalment date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN months IS NULL THEN NULL
                ELSE (CASE spend_from
                          WHEN 'payment' THEN received_on
                          WHEN 'final-instalment' THEN final_instalment
                          ELSE start
                      END + make_interval(months => months))::date
           END
$$;

-- Each standing receipt share: its deadline, and what of it is still
-- unallocated and unspent, or was returned. The final instalment is the
-- last payment once the money due (the invoices, else the base amount) is
-- received in full.
CREATE OR REPLACE VIEW receipt_share_balances AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       spend_by_deadline(o.spend_by_from, o.spend_by_months, s.received_on, o.spend_by_start,
           CASE WHEN o.spend_by_from = 'final-instalment'
                 AND b.received >= coalesce(nullif(b.invoiced, 0), o.base_amount)
                THEN (SELECT max(p.received_on) FROM receipt_share_positions p WHERE p.obligation_id = s.obligation_id)
           END) AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM receipt_share_positions s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_ledger_totals b ON b.obligation_id = s.obligation_id;

-- receipt_share_balances' rows, with the obligation's agreement, purpose
-- and service area for the list's filters and the agreement's reference
-- for its sort, so the list filters, sorts and pages the kept shares alone.
CREATE TABLE IF NOT EXISTS receipt_share_deadlines (
    entry_id      bigint PRIMARY KEY REFERENCES ledger_entries (id),
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    receipt_id    bigint NOT NULL REFERENCES receipts (id),
    received_on   date NOT NULL,
    amount        numeric(14,2) NOT NULL,
    deadline      date,
    unallocated   numeric NOT NULL,
    unspent       numeric NOT NULL,
    returned      numeric NOT NULL,
    agreement_id  bigint NOT NULL,
    purpose_code  text NOT NULL,
    service_area  text NOT NULL,
    agreement_key text NOT NULL
);
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_obligation_idx ON receipt_share_deadlines (obligation_id);
-- One index for each sort and direction of the list, over the shares with
-- money unspent, in the list's order: the sort, then the deadline, the day
-- received and the entry. The rating filters are ranges of deadlines.
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_list_idx ON receipt_share_deadlines (deadline, received_on, entry_id) INCLUDE (unallocated) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_deadline_desc_idx ON receipt_share_deadlines (deadline DESC NULLS LAST, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_received_idx ON receipt_share_deadlines (received_on, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_received_desc_idx ON receipt_share_deadlines (received_on DESC NULLS LAST, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_unspent_idx ON receipt_share_deadlines (unspent, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_unspent_desc_idx ON receipt_share_deadlines (unspent DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_agreement_idx ON receipt_share_deadlines (agreement_key, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_agreement_desc_idx ON receipt_share_deadlines (agreement_key DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;

-- The API's deadlines list pages by keyset (web/api_keyset.go,
-- ledger.DeadlinesAfter): a cursor names the last row's sort key and id,
-- and each index holds such a (key, id) tuple over the shares with money
-- unspent, so a page is a range scan from the cursor (migration 00152 made
-- them first; they live here with the table they index, so a rebuild of
-- the kept tables keeps them).
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_api_deadline_idx ON receipt_share_deadlines
    ((deadline IS NULL), coalesce(deadline, 'epoch'::date), received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_api_deadline_desc_idx ON receipt_share_deadlines
    ((deadline IS NOT NULL), coalesce(deadline, 'epoch'::date), received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_api_received_idx ON receipt_share_deadlines (received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_api_unspent_idx ON receipt_share_deadlines (unspent, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_api_agreement_idx ON receipt_share_deadlines (agreement_key, entry_id) WHERE unspent > 0;
-- Every ledger entry rewrites its obligation's rows, and a page reads the
-- indexes alone only where pages are all-visible: vacuum it often.
ALTER TABLE receipt_share_deadlines SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

CREATE OR REPLACE VIEW receipt_share_deadlines_computed AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
       o.agreement_id, o.purpose_code, o.service_area, upper(a.reference) AS agreement_key
FROM receipt_share_balances s
JOIN obligations o ON o.id = s.obligation_id
JOIN agreements a ON a.id = o.agreement_id;

CREATE OR REPLACE FUNCTION refresh_receipt_share_deadlines(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- A new clock or amount moves the deadline of every share already paid; a
-- new agreement, purpose or service area moves them between the filters.
-- The update holds the obligation's row lock, so no ledger refresh of it
-- runs meanwhile.
CREATE OR REPLACE FUNCTION obligations_deadline_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

-- A new reference moves the agreement's shares in the agreement sort.
CREATE OR REPLACE FUNCTION agreements_deadline_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY(SELECT id FROM obligations WHERE agreement_id = NEW.id));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER obligations_share_deadlines
    AFTER UPDATE OF spend_by_months, spend_by_from, spend_by_start, base_amount, agreement_id, purpose_code, service_area ON obligations
    FOR EACH ROW WHEN ((OLD.spend_by_months, OLD.spend_by_from, OLD.spend_by_start, OLD.base_amount, OLD.agreement_id, OLD.purpose_code, OLD.service_area)
                       IS DISTINCT FROM (NEW.spend_by_months, NEW.spend_by_from, NEW.spend_by_start, NEW.base_amount, NEW.agreement_id, NEW.purpose_code, NEW.service_area))
    EXECUTE FUNCTION obligations_deadline_keys_changed();
CREATE OR REPLACE TRIGGER agreements_share_deadlines
    AFTER UPDATE OF reference ON agreements
    FOR EACH ROW WHEN (upper(OLD.reference) IS DISTINCT FROM upper(NEW.reference))
    EXECUTE FUNCTION agreements_deadline_key_changed();
