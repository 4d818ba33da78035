-- What each parish is due per half-year under regulation 59D, kept so the
-- pages that show what a parish is owed (cil_parish_dues, 84_cil_ledger.sql)
-- read a few rows per parish instead of every neighbourhood portion of
-- every receipt (issue 22, item 1).
--
-- Figures defined here:
--   due per parish and half-year (cil_parish_half_dues): the neighbourhood
--     portions of the standing receipts (cil_ledger_effective) entered in
--     the half-year starting period_start (1 April or 1 October), whether
--     or not the parish receives the levy (cil_parish_dues leaves out
--     those that do not), and how many portions they are. A half-year
--     whose receipts were all reversed keeps its row at 0 portions.
-- Pages that read them: /cil/parishes, /cil/parishes/{code},
-- /cil/parish-payments and its CSV (internal/cil parishes.go), through
-- cil_parish_dues.
--
-- How they are kept: a statement trigger on cil_receipt_portions adds each
-- new neighbourhood portion of a standing receipt to its parish's
-- half-year, and one on cil_ledger_entries takes a reversed receipt's
-- portions back out, both by INSERT ... ON CONFLICT DO UPDATE, which locks
-- the kept row: increments commute, and a second writer adds to what the
-- first committed. Both tables are append-only. Nothing in Go writes the
-- table. cil_parish_half_dues_computed is the computation from scratch;
-- cil_parish_half_dues_drift lists the rows that differ from it
-- (drift_report counts it, 90_drift.sql), and refresh_cil_parish_half_dues()
-- rebuilds it (called by refresh_all_derived_totals). Re-applied after
-- every migrate; the table was made by migration 00246.

-- The first day of the half-year (1 April or 1 October) a day falls in.
CREATE OR REPLACE FUNCTION cil_half_year_start(d date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN extract(month FROM d) BETWEEN 4 AND 9 THEN make_date(extract(year FROM d)::int, 4, 1)
                WHEN extract(month FROM d) >= 10 THEN make_date(extract(year FROM d)::int, 10, 1)
                ELSE make_date(extract(year FROM d)::int - 1, 10, 1) END
$$;

CREATE OR REPLACE VIEW cil_parish_half_dues_computed AS
SELECT p.parish_code, cil_half_year_start(e.entry_date) AS period_start, count(*)::int AS portions, sum(p.amount) AS due
FROM cil_receipt_portions p
JOIN cil_ledger_effective e ON e.id = p.receipt_id
WHERE p.portion = 'neighbourhood'
GROUP BY 1, 2;

CREATE OR REPLACE VIEW cil_parish_half_dues_drift AS
SELECT coalesce(k.parish_code, c.parish_code) AS parish_code, coalesce(k.period_start, c.period_start) AS period_start
FROM cil_parish_half_dues k
FULL JOIN cil_parish_half_dues_computed c ON c.parish_code = k.parish_code AND c.period_start = k.period_start
WHERE (coalesce(k.portions, 0), coalesce(k.due, 0)) <> (coalesce(c.portions, 0), coalesce(c.due, 0));

CREATE OR REPLACE FUNCTION refresh_cil_parish_half_dues() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cil_parish_half_dues;
    INSERT INTO cil_parish_half_dues SELECT * FROM cil_parish_half_dues_computed;
END;
$$;

-- New portions: those of standing receipts (a portion is recorded with its
-- receipt, before any reversal; the check is for a bulk load's order).
CREATE OR REPLACE FUNCTION cil_receipt_portions_move_half_dues() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- New reversals: the reversed receipts' neighbourhood portions come out.
CREATE OR REPLACE FUNCTION cil_ledger_entries_move_half_dues() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE TRIGGER cil_receipt_portions_half_dues
    AFTER INSERT ON cil_receipt_portions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_receipt_portions_move_half_dues();
CREATE OR REPLACE TRIGGER cil_ledger_entries_half_dues
    AFTER INSERT ON cil_ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_ledger_entries_move_half_dues();
