-- The Community Infrastructure Levy: the tables of the levy's second ledger,
-- beside the section 106 one and on the same foundations (issue 20).
--
-- The Community Infrastructure Levy Regulations 2010 (SI 2010/948) as
-- amended are "the regulations" below. This migration holds the tables and
-- the rules a table can state by itself (checks, keys, append-only). The
-- rules that span rows (instalments summing to their demand, a receipt's
-- portions summing to the receipt, nothing passed or spent beyond what was
-- received) and the kept totals live in internal/store/schema/8*_cil*.sql,
-- re-applied after every migration like the section 106 ones.

-- +goose Up

-- Charging schedules --------------------------------------------------------

-- A charging schedule in force from the day it "took effect" (Schedule 1
-- para 1(4): "I_C = the index figure for the calendar year in which the
-- charging schedule containing rate R took effect") until the day before
-- its successor took effect. A London borough has its own schedules and the
-- Mayor of London's beside them ("charging authority": regulation 2 and
-- section 206 of the Planning Act 2008).
CREATE TABLE cil_schedules (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (btrim(name) <> ''),
    charging_authority text NOT NULL DEFAULT 'council' CHECK (charging_authority IN ('council', 'mayor')),
    takes_effect       date NOT NULL,
    ends               date,
    notes              text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    CHECK (ends IS NULL OR ends >= takes_effect)
);

-- A charging zone of a schedule: a named area. A development is placed in
-- one by the officer, or by the postcodes (a district "GL50", a sector
-- "GL50 1" or a whole postcode) or wards listed here.
CREATE TABLE cil_zones (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id bigint NOT NULL REFERENCES cil_schedules (id),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    postcodes   text[] NOT NULL DEFAULT '{}',
    wards       text[] NOT NULL DEFAULT '{}',
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (schedule_id, name)
);

-- A rate per square metre of gross internal area for a use, in one zone of
-- the schedule or (zone_id NULL) in all of them. A rate of 0 is a nil rate.
CREATE TABLE cil_rates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id bigint NOT NULL REFERENCES cil_schedules (id),
    zone_id     bigint REFERENCES cil_zones (id),
    use_code    text NOT NULL CHECK (use_code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    use_name    text NOT NULL CHECK (btrim(use_name) <> ''),
    rate        numeric(10,2) NOT NULL CHECK (rate >= 0),
    UNIQUE NULLS NOT DISTINCT (schedule_id, zone_id, use_code)
);

-- The index of Schedule 1 para 1(5) is one figure per calendar year: "(b) in
-- relation to the calendar year 2020 and any subsequent calendar year, the
-- RICS CIL Index published in November of the preceding calendar year";
-- "(a) in relation to any calendar year before 2020, the figure for 1st
-- November for the preceding calendar year in the national All-in Tender
-- Price Index". It is kept as an annual index series whose period is
-- 1 January of the calendar year the figure is for. Its values are
-- licensed by RICS: the council enters them; none are shipped.
INSERT INTO index_series (code, name, frequency) VALUES
    ('cil-index', 'CIL index figure (RICS CIL Index; BCIS All-in TPI before 2020)', 'annual')
ON CONFLICT (code) DO NOTHING;

-- Parishes and the neighbourhood portion --------------------------------------

-- A parish or town council that receives the neighbourhood portion
-- (regulation 59A), keyed by the parish's area code (areas, kind 'parish',
-- where the boundary is loaded). receives_cil false: the parish has said it
-- does not want the money, which the council then spends in its area.
-- neighbourhood_plan_from: the day a neighbourhood development plan came
-- into force in the parish (59A(3): 25 per cent where one is "in place").
CREATE TABLE cil_parishes (
    code                    text PRIMARY KEY CHECK (btrim(code) <> ''),
    name                    text NOT NULL CHECK (btrim(name) <> ''),
    council_name            text NOT NULL DEFAULT '',
    receives_cil            boolean NOT NULL DEFAULT true,
    neighbourhood_plan_from date,
    contact_email           text NOT NULL DEFAULT '',
    version                 integer NOT NULL DEFAULT 1
);

-- The number of dwellings in the parish for a financial year, for the cap of
-- regulation 59A(7) (per dwelling, per financial year).
CREATE TABLE cil_parish_dwellings (
    parish_code    text NOT NULL REFERENCES cil_parishes (code),
    financial_year integer NOT NULL CHECK (financial_year BETWEEN 2010 AND 2100),
    dwellings      integer NOT NULL CHECK (dwellings >= 0),
    PRIMARY KEY (parish_code, financial_year)
);

-- Chargeable developments -------------------------------------------------------

-- A chargeable development, from its planning permission. permission_date
-- is the day planning permission "first permits the chargeable development"
-- (it sets I_P, the parish's 25 per cent and the in-use test's window).
CREATE TABLE cil_developments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference          text NOT NULL UNIQUE CHECK (btrim(reference) <> ''),
    development_id     bigint REFERENCES developments (id),
    planning_reference text NOT NULL DEFAULT '',
    description        text NOT NULL CHECK (btrim(description) <> ''),
    address            text NOT NULL DEFAULT '',
    postcode           text NOT NULL DEFAULT '',
    ward               text NOT NULL DEFAULT '',
    parish_code        text REFERENCES cil_parishes (code),
    permission_date    date NOT NULL,
    permission_kind    text NOT NULL DEFAULT 'full'
        CHECK (permission_kind IN ('full', 'outline', 'reserved-matters', 'section-73', 'general-consent', 'prior-approval')),
    neighbourhood_order boolean NOT NULL DEFAULT false,
    dwellings          integer CHECK (dwellings >= 0),
    notes              text NOT NULL DEFAULT '',
    import_ref         text UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1
);

-- The zone of each charging schedule that applies to the development.
CREATE TABLE cil_development_zones (
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    schedule_id        bigint NOT NULL REFERENCES cil_schedules (id),
    zone_id            bigint NOT NULL REFERENCES cil_zones (id),
    placed_by          text NOT NULL CHECK (placed_by IN ('officer', 'postcode', 'ward')),
    PRIMARY KEY (cil_development_id, schedule_id)
);

-- Gross internal areas, per use. kind 'proposed': the gross internal area
-- of the chargeable development at that use (G_R; retained parts
-- included); 'retained': a retained part of an existing building; and
-- 'demolished': a part of an existing building demolished before
-- completion. in_use: the part is in an "in-use building" (in lawful use for
-- a continuous six months in the three years ending on the day permission
-- first permits the development). lawful_use: for a retained part of a
-- building not in use, its intended use may be carried on lawfully and
-- permanently without further permission (K_R (ii)).
CREATE TABLE cil_floor_areas (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    use_code           text NOT NULL CHECK (use_code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind               text NOT NULL CHECK (kind IN ('proposed', 'retained', 'demolished')),
    gia                numeric(12,2) NOT NULL CHECK (gia > 0),
    in_use             boolean NOT NULL DEFAULT false,
    lawful_use         boolean NOT NULL DEFAULT false,
    description        text NOT NULL DEFAULT '',
    CHECK (kind <> 'proposed' OR NOT (in_use OR lawful_use))
);

-- Liability -------------------------------------------------------------------

-- People: the relevant person, owners, and anyone who assumed liability
-- (regulation 31) with the day the assumption of liability notice was
-- received, and the day it was withdrawn or transferred (32).
CREATE TABLE cil_parties (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    role               text NOT NULL CHECK (role IN ('assumed-liability', 'owner', 'relevant-person', 'agent')),
    name               text NOT NULL CHECK (btrim(name) <> ''),
    address            text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    assumed_on         date,
    ended_on           date,
    version            integer NOT NULL DEFAULT 1,
    CHECK ((role = 'assumed-liability') = (assumed_on IS NOT NULL)),
    CHECK (ended_on IS NULL OR assumed_on IS NULL OR ended_on >= assumed_on)
);

-- Liability notices (regulation 65), one per charging authority; a revised
-- notice (65(4), (5)) supersedes the one it names. The calculation holds
-- every figure of Schedule 1 used (rates, areas, index figures, the amount
-- at each rate) as issued, so the notice prints as it was sent.
CREATE TABLE cil_liability_notices (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    charging_authority text NOT NULL DEFAULT 'council' CHECK (charging_authority IN ('council', 'mayor')),
    reference          text NOT NULL DEFAULT '',
    issued_on          date NOT NULL,
    chargeable_amount  numeric(14,2) NOT NULL CHECK (chargeable_amount >= 0),
    relief_amount      numeric(14,2) NOT NULL DEFAULT 0 CHECK (relief_amount >= 0),
    calculation        jsonb NOT NULL,
    supersedes_id      bigint UNIQUE REFERENCES cil_liability_notices (id),
    recorded_by        bigint REFERENCES users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (relief_amount <= chargeable_amount)
);

-- Commencement (regulation 67) or a deemed commencement date (68). A notice
-- may be withdrawn before commencement (67(7)); a later valid notice
-- supersedes an earlier one (67(6)).
CREATE TABLE cil_commencements (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    kind               text NOT NULL CHECK (kind IN ('notice', 'deemed')),
    received_on        date NOT NULL,
    commencement_date  date NOT NULL,
    withdrawn_on       date,
    note               text NOT NULL DEFAULT '',
    recorded_by        bigint REFERENCES users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'notice' OR withdrawn_on IS NULL)
);

-- The charging authority's instalment policy (regulation 69B): from the
-- day it takes effect, each band of chargeable amount (up to and including
-- up_to; NULL: any amount above the bands below) is paid in the listed
-- instalments, each a share of the amount due a number of days after
-- commencement.
CREATE TABLE cil_instalment_policies (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    charging_authority text NOT NULL DEFAULT 'council' CHECK (charging_authority IN ('council', 'mayor')),
    name               text NOT NULL CHECK (btrim(name) <> ''),
    takes_effect       date NOT NULL,
    version            integer NOT NULL DEFAULT 1,
    UNIQUE (charging_authority, takes_effect)
);

CREATE TABLE cil_instalment_rules (
    policy_id  bigint NOT NULL REFERENCES cil_instalment_policies (id),
    up_to      numeric(14,2) CHECK (up_to > 0),
    seq        integer NOT NULL CHECK (seq >= 1),
    share      numeric(7,4) NOT NULL CHECK (share > 0 AND share <= 1),
    days_after integer NOT NULL CHECK (days_after >= 0),
    UNIQUE NULLS NOT DISTINCT (policy_id, up_to, seq)
);

-- Demand notices (regulation 69), one per person liable and charging
-- authority; a revised notice supersedes the earlier one (69(5)). amount
-- is the whole amount payable it states (levy, surcharges and interest),
-- and its instalments say what is due when (69(2)(e), (f)).
CREATE TABLE cil_demand_notices (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id  bigint NOT NULL REFERENCES cil_developments (id),
    liability_notice_id bigint NOT NULL REFERENCES cil_liability_notices (id),
    party_id            bigint REFERENCES cil_parties (id),
    charging_authority  text NOT NULL DEFAULT 'council' CHECK (charging_authority IN ('council', 'mayor')),
    reference           text NOT NULL UNIQUE CHECK (btrim(reference) <> ''),
    issued_on           date NOT NULL,
    commencement_date   date NOT NULL,
    amount              numeric(14,2) NOT NULL CHECK (amount >= 0),
    supersedes_id       bigint UNIQUE REFERENCES cil_demand_notices (id),
    import_ref          text UNIQUE,
    recorded_by         bigint REFERENCES users (id),
    recorded_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cil_instalments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demand_notice_id bigint NOT NULL REFERENCES cil_demand_notices (id),
    seq              integer NOT NULL CHECK (seq >= 1),
    kind             text NOT NULL DEFAULT 'levy' CHECK (kind IN ('levy', 'surcharge', 'interest')),
    due_on           date NOT NULL,
    amount           numeric(14,2) NOT NULL CHECK (amount > 0),
    UNIQUE (demand_notice_id, seq)
);

-- Reliefs and exemptions: claimed, then granted or refused, and for those
-- with a clawback period (charitable, 43-47; social housing, 49-53;
-- self-build, 54A-54D) withdrawn or clawed back on a disqualifying event
-- until the period ends.
CREATE TABLE cil_reliefs (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    kind               text NOT NULL CHECK (kind IN ('social-housing', 'charitable', 'self-build', 'residential-annex', 'residential-extension', 'exceptional-circumstances', 'minor-development')),
    claimant           text NOT NULL DEFAULT '',
    claimed_on         date NOT NULL,
    amount             numeric(14,2) NOT NULL CHECK (amount >= 0),
    decision           text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'granted', 'refused')),
    decided_on         date,
    clawback_ends      date,
    withdrawn_on       date,
    withdrawal_reason  text NOT NULL DEFAULT '',
    clawed_back        numeric(14,2) CHECK (clawed_back > 0),
    note               text NOT NULL DEFAULT '',
    version            integer NOT NULL DEFAULT 1,
    CHECK ((decision = 'pending') = (decided_on IS NULL)),
    CHECK (withdrawn_on IS NULL OR decision = 'granted'),
    CHECK (clawed_back IS NULL OR withdrawn_on IS NOT NULL),
    CHECK (btrim(withdrawal_reason) = '' OR withdrawn_on IS NOT NULL)
);

-- Surcharges (regulations 80 to 86) and late payment interest (87),
-- imposed on a day; quashed on appeal by a dated record, never deleted.
CREATE TABLE cil_charges (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cil_development_id bigint NOT NULL REFERENCES cil_developments (id),
    regulation         integer NOT NULL CHECK (regulation BETWEEN 80 AND 87),
    imposed_on         date NOT NULL,
    amount             numeric(14,2) NOT NULL CHECK (amount > 0),
    reason             text NOT NULL CHECK (btrim(reason) <> ''),
    quashed_on         date,
    recorded_by        bigint REFERENCES users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now()
);

-- The levy's ledger ---------------------------------------------------------

-- One append-only ledger, as the section 106 one: a correction is a
-- reversal naming the entry it reverses. Kinds:
--   receipt         CIL received (money, or land or infrastructure at its value,
--                   method), against a development and its demand notice
--   repayment       money repaid to the payer (an overpayment)
--   mayor-payment   Mayoral CIL collected for the Mayor, paid to the Mayor
--   parish-payment  the neighbourhood portion passed to a parish (59A, 59D)
--   parish-recovery an amount a parish returned under a notice (59E)
--   admin           CIL applied to administrative expenses (61)
--   allocation, deallocation, spend
--                   CIL of a pot allocated to, released from or spent on a
--                   project (an item of infrastructure)
--   reversal        the correction of one entry
-- pot: the portion an allocation, spend or deallocation draws on:
-- 'strategic' (the remainder), or 'neighbourhood' (59A money kept by the
-- council where there is no parish council, or recovered from one: 59E,
-- 59F), with parish_code naming the parish area.
CREATE TABLE cil_ledger_entries (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('receipt', 'repayment', 'mayor-payment', 'parish-payment', 'parish-recovery', 'admin', 'allocation', 'deallocation', 'spend', 'reversal')),
    entry_date         date NOT NULL,
    amount             numeric(14,2) NOT NULL CHECK (amount > 0 AND amount < 1000000000),
    charging_authority text NOT NULL DEFAULT 'council' CHECK (charging_authority IN ('council', 'mayor')),
    cil_development_id bigint REFERENCES cil_developments (id),
    demand_notice_id   bigint REFERENCES cil_demand_notices (id),
    method             text CHECK (method IN ('money', 'land', 'infrastructure')),
    parish_code        text REFERENCES cil_parishes (code),
    pot                text CHECK (pot IN ('strategic', 'neighbourhood')),
    project_id         bigint REFERENCES projects (id),
    reverses_id        bigint UNIQUE REFERENCES cil_ledger_entries (id),
    payer              text NOT NULL DEFAULT '',
    reference          text NOT NULL DEFAULT '',
    evidence           text NOT NULL DEFAULT '',
    note               text NOT NULL DEFAULT '',
    import_ref         text UNIQUE,
    recorded_by        bigint REFERENCES users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    CHECK (kind <> 'reversal' OR btrim(note) <> ''),
    CHECK ((kind = 'receipt') = (method IS NOT NULL)),
    CHECK (kind NOT IN ('receipt', 'repayment') OR cil_development_id IS NOT NULL),
    CHECK ((kind IN ('allocation', 'deallocation', 'spend')) = (project_id IS NOT NULL)),
    CHECK ((kind IN ('allocation', 'deallocation', 'spend')) = (pot IS NOT NULL)),
    CHECK (kind NOT IN ('parish-payment', 'parish-recovery') OR parish_code IS NOT NULL),
    CHECK (pot IS DISTINCT FROM 'neighbourhood' OR parish_code IS NOT NULL),
    CHECK (kind <> 'mayor-payment' OR charging_authority = 'mayor')
);
CREATE INDEX cil_ledger_entries_development ON cil_ledger_entries (cil_development_id);
CREATE INDEX cil_ledger_entries_date ON cil_ledger_entries (entry_date);
CREATE INDEX cil_ledger_entries_project ON cil_ledger_entries (project_id) WHERE project_id IS NOT NULL;

-- How a receipt is split when it is received: the administrative portion
-- (61), the neighbourhood portion for the development's parish (59A; for an
-- area without a parish council, kept by the council: 59F) and the
-- strategic remainder; Mayoral CIL is all 'mayor'.
CREATE TABLE cil_receipt_portions (
    receipt_id  bigint NOT NULL REFERENCES cil_ledger_entries (id),
    portion     text NOT NULL CHECK (portion IN ('admin', 'neighbourhood', 'strategic', 'mayor')),
    parish_code text REFERENCES cil_parishes (code),
    amount      numeric(14,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (receipt_id, portion),
    CHECK ((portion = 'neighbourhood') = (parish_code IS NOT NULL))
);

-- Which instalments a receipt pays (one payment may cover several).
CREATE TABLE cil_receipt_instalments (
    receipt_id     bigint NOT NULL REFERENCES cil_ledger_entries (id),
    instalment_id  bigint NOT NULL REFERENCES cil_instalments (id),
    amount         numeric(14,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (receipt_id, instalment_id)
);

-- Notices served on a parish to repay neighbourhood money not applied
-- within five years (59E).
CREATE TABLE cil_recovery_notices (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parish_code text NOT NULL REFERENCES cil_parishes (code),
    served_on   date NOT NULL,
    amount      numeric(14,2) NOT NULL CHECK (amount > 0),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    recorded_by bigint REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only: notices, instalments and the ledger are never changed.
CREATE TRIGGER cil_liability_notices_append_only BEFORE UPDATE OR DELETE ON cil_liability_notices
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_demand_notices_append_only BEFORE UPDATE OR DELETE ON cil_demand_notices
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_instalments_append_only BEFORE UPDATE OR DELETE ON cil_instalments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_ledger_entries_append_only BEFORE UPDATE OR DELETE ON cil_ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_receipt_portions_append_only BEFORE UPDATE OR DELETE ON cil_receipt_portions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_receipt_instalments_append_only BEFORE UPDATE OR DELETE ON cil_receipt_instalments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cil_recovery_notices_append_only BEFORE UPDATE OR DELETE ON cil_recovery_notices
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
REVOKE UPDATE, DELETE ON cil_liability_notices, cil_demand_notices, cil_instalments, cil_ledger_entries,
    cil_receipt_portions, cil_receipt_instalments, cil_recovery_notices FROM s106_app;

-- +goose Down
-- CASCADE: the views, kept tables and triggers of the levy's definition
-- files (internal/store/schema/8*_cil*.sql) depend on these tables.
DROP TABLE cil_recovery_notices, cil_receipt_instalments, cil_receipt_portions, cil_ledger_entries,
    cil_charges, cil_reliefs, cil_instalments, cil_demand_notices, cil_instalment_rules, cil_instalment_policies,
    cil_commencements, cil_liability_notices, cil_parties, cil_floor_areas, cil_development_zones,
    cil_developments, cil_parish_dwellings, cil_parishes, cil_rates, cil_zones, cil_schedules CASCADE;
DELETE FROM index_series WHERE code = 'cil-index';
