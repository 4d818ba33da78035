-- +goose Up
-- The spend-by clock follows the agreement.
--
-- A deed says when the period to spend the money starts: from the date of
-- each payment (the default, and the rule until now), from the final
-- instalment, from a dated event (completion of the development,
-- occupation of the last dwelling) or from a fixed date. spend_by_months
-- stays the period (a period in years is stored as months).
--
-- spend_by_deadline is the one rule for a receipt share's deadline; the
-- shares' view (receipt_share_balances) uses it, so the kept deadlines
-- (receipt_share_deadlines), the deadlines list, RAG ratings and alerts,
-- which all read them, follow. Until the final instalment is paid or the
-- event has a date, a share has no deadline yet.
--   payment           each share's date received + period
--   final-instalment  the last payment's date, once the money due (the
--                     invoices, else the base amount) is received in full,
--                     + period
--   event             the event's date (spend_by_start, recorded when it
--                     happens) + period
--   fixed-date        the fixed date (spend_by_start) + period

ALTER TABLE obligations
    ADD COLUMN spend_by_from  text NOT NULL DEFAULT 'payment'
        CHECK (spend_by_from IN ('payment', 'final-instalment', 'event', 'fixed-date')),
    ADD COLUMN spend_by_event text NOT NULL DEFAULT '',
    ADD COLUMN spend_by_start date,
    ADD CONSTRAINT obligations_spend_by_event CHECK (spend_by_from <> 'event' OR btrim(spend_by_event) <> ''),
    ADD CONSTRAINT obligations_spend_by_fixed_date CHECK (spend_by_from <> 'fixed-date' OR spend_by_start IS NOT NULL);

-- +goose StatementBegin
CREATE FUNCTION spend_by_deadline(spend_from text, months integer, received_on date, start date, final_instalment date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN months IS NULL THEN NULL
                ELSE (CASE spend_from
                          WHEN 'payment' THEN received_on
                          WHEN 'final-instalment' THEN final_instalment
                          ELSE start
                      END + make_interval(months => months))::date
           END
$$;
-- +goose StatementEnd

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

-- A new clock moves the deadline of every share already paid.
DROP TRIGGER obligations_share_deadlines ON obligations;
CREATE TRIGGER obligations_share_deadlines
    AFTER UPDATE OF spend_by_months, spend_by_from, spend_by_start, base_amount, agreement_id, purpose_code, service_area ON obligations
    FOR EACH ROW WHEN ((OLD.spend_by_months, OLD.spend_by_from, OLD.spend_by_start, OLD.base_amount, OLD.agreement_id, OLD.purpose_code, OLD.service_area)
                       IS DISTINCT FROM (NEW.spend_by_months, NEW.spend_by_from, NEW.spend_by_start, NEW.base_amount, NEW.agreement_id, NEW.purpose_code, NEW.service_area))
    EXECUTE FUNCTION obligations_deadline_keys_changed();

-- +goose Down
DROP TRIGGER obligations_share_deadlines ON obligations;
CREATE TRIGGER obligations_share_deadlines
    AFTER UPDATE OF spend_by_months, agreement_id, purpose_code, service_area ON obligations
    FOR EACH ROW WHEN ((OLD.spend_by_months, OLD.agreement_id, OLD.purpose_code, OLD.service_area)
                       IS DISTINCT FROM (NEW.spend_by_months, NEW.agreement_id, NEW.purpose_code, NEW.service_area))
    EXECUTE FUNCTION obligations_deadline_keys_changed();
CREATE OR REPLACE VIEW receipt_share_balances AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       CASE WHEN o.spend_by_months IS NULL THEN NULL
            ELSE (s.received_on + make_interval(months => o.spend_by_months))::date END AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM receipt_share_positions s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_ledger_totals b ON b.obligation_id = s.obligation_id;
DROP FUNCTION spend_by_deadline(text, integer, date, date, date);
ALTER TABLE obligations DROP COLUMN spend_by_start, DROP COLUMN spend_by_event, DROP COLUMN spend_by_from;
