-- The levy's alerts (issue 20, item 6): five rules in the existing alerts
-- system (internal/alerts/cil.go holds their candidates), the subjects
-- they are about, and the parish's annual report (regulation 121B) the
-- officer records so that the five-year rule of regulation 59E can be
-- watched.
--
-- The rules are listed (admin page, the inbox's filter) only where the
-- council charges the levy: internal/alerts/rules.go hides codes starting
-- "cil-" while there is no charging schedule and no chargeable development.

-- +goose Up

ALTER TABLE alerts DROP CONSTRAINT alerts_subject_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_subject_type_check CHECK (subject_type IN
    ('receipt-share', 'obligation', 'invoice', 'agreement', 'ifs',
     -- the levy's: an instalment of a demand notice, a chargeable
     -- development, a relief, a parish's half-year of neighbourhood money
     -- (subject_id: the payment day as YYYYMMDD; the parish's code is in
     -- the threshold), a payment to a parish (its ledger entry)
     'cil-instalment', 'cil-development', 'cil-relief', 'cil-parish-half-year', 'cil-parish-payment'));

INSERT INTO alert_rules (code, name, description, unit, thresholds, defaults, position) VALUES
    ('cil-instalment-due', 'CIL instalment due or overdue',
     'An instalment of a demand notice for the Community Infrastructure Levy is not paid in full and falls due within this many days (and again once its due date has passed).',
     'days', '{14}', '{14}', 20),
    ('cil-commencement', 'CIL commencement not notified',
     'A chargeable development with a liability notice has no commencement notice (nor a deemed commencement date) although its planning permission is more than this many months old, or although works are reported started (a section 106 obligation triggered on commencement is met).',
     'months', '{12}', '{12}', 21),
    ('cil-relief-clawback', 'CIL relief at risk of clawback',
     'A granted relief or exemption is still within its clawback period and either a disqualifying event is recorded with nothing yet clawed back, or the period ends within this many months (check the conditions still hold).',
     'months', '{6}', '{6}', 22),
    ('cil-parish-payment', 'Neighbourhood CIL due to a parish',
     'The neighbourhood portion of CIL received in a half-year is not yet passed to the parish council and its payment date (28 October or 28 April, regulation 59D) is this many days away (and again once it has passed).',
     'days', '{14}', '{14}', 23),
    ('cil-parish-unspent', 'Parish CIL unspent near the end of five years',
     'Money passed to a parish council is not reported spent (its annual regulation 121B report) nor recovered, and the five years of regulation 59E end within this many months (and again once they have ended).',
     'months', '{6}', '{6}', 24);

-- A parish council's annual CIL report (regulation 121B(2)), as the parish
-- published it, for a financial year (the year it starts): "(a) the total
-- CIL receipts for the reported year; (b) the total CIL expenditure for
-- the reported year; ... (e) ... (i) CIL receipts for the reported year
-- retained at the end of the reported year; and (ii) CIL receipts from
-- previous years retained at the end of the reported year"
-- (legislation.gov.uk/uksi/2010/948/regulation/121B/2019-09-01). Recorded
-- by the officer from the parish's published report; one a parish a year,
-- corrected with optimistic locking and audited.
CREATE TABLE cil_parish_reports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parish_code    text NOT NULL REFERENCES cil_parishes (code),
    financial_year integer NOT NULL CHECK (financial_year BETWEEN 2010 AND 2100),
    received       numeric(14,2) NOT NULL CHECK (received >= 0),
    spent          numeric(14,2) NOT NULL CHECK (spent >= 0),
    retained       numeric(14,2) CHECK (retained >= 0),
    reported_on    date,
    note           text NOT NULL DEFAULT '',
    recorded_by    bigint REFERENCES users (id),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (parish_code, financial_year)
);

-- Money the levy's pages show changes with its ledger: bump the data
-- version (migrations 00011, 00015) so the public pages' and the
-- dashboard's kept copies are rebuilt, as ledger_entries does.
CREATE CONSTRAINT TRIGGER cil_ledger_entries_public_version AFTER INSERT ON cil_ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER cil_parish_reports_public_version AFTER INSERT OR UPDATE ON cil_parish_reports
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();

-- +goose Down
DROP TRIGGER cil_ledger_entries_public_version ON cil_ledger_entries;
DROP TABLE cil_parish_reports;
DELETE FROM alert_recipients WHERE alert_id IN (SELECT id FROM alerts WHERE rule_code LIKE 'cil-%');
DELETE FROM alerts WHERE rule_code LIKE 'cil-%';
DELETE FROM alert_rules WHERE code LIKE 'cil-%';
ALTER TABLE alerts DROP CONSTRAINT alerts_subject_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_subject_type_check CHECK (subject_type IN
    ('receipt-share', 'obligation', 'invoice', 'agreement', 'ifs'));
