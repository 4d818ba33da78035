-- The levy's notices (issue 20, part B): what the tables of 00160 lacked
-- for the demand notice's instalment basis, the reliefs' clawback period,
-- the late payment interest's working, and the Bank of England base rate.
-- The rule that a demand notice's instalments sum to its amount is in
-- internal/store/schema/82_cil_notices.sql.

-- +goose Up

-- The Bank of England base rate, dated from the day each rate took effect.
-- Regulation 2(1): "'Bank of England base rate' means— (a) the rate
-- announced from time to time by the Monetary Policy Committee of the Bank
-- of England as the official dealing rate ...". Regulation 87(2)(b) charges
-- late payment interest "at an annual rate of 2.5 percentage points above
-- the Bank of England base rate". The rate changes on the day the Committee
-- says, not on the first of a month, so it is a dated series of its own
-- rather than an index_values series (whose periods are months). The
-- council enters the rates; none are shipped.
CREATE TABLE cil_base_rates (
    effective_from date PRIMARY KEY,
    rate           numeric(6,4) NOT NULL CHECK (rate >= 0 AND rate < 100),
    source         text NOT NULL DEFAULT '',
    recorded_by    bigint REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- How a demand notice's instalments were set: from the instalment policy
-- in force at commencement (regulation 70), in full at the end of 60 days
-- where no policy applies, in full on a deemed commencement date (71), or
-- typed by the officer ('recorded', e.g. imported notices).
ALTER TABLE cil_demand_notices
    ADD COLUMN basis text NOT NULL DEFAULT 'recorded'
        CHECK (basis IN ('recorded', 'instalment-policy', 'in-full-60-days', 'in-full-deemed', 'in-full')),
    ADD COLUMN policy_id bigint REFERENCES cil_instalment_policies (id),
    ADD COLUMN note text NOT NULL DEFAULT '',
    ADD CONSTRAINT cil_demand_notices_policy_basis CHECK ((basis = 'instalment-policy') = (policy_id IS NOT NULL));
CREATE INDEX cil_demand_notices_development ON cil_demand_notices (cil_development_id);
CREATE INDEX cil_instalments_due ON cil_instalments (due_on);

-- Reliefs: the compliance certificate that starts the three-year clawback
-- period of a self-build exemption or residential annex exemption, the day
-- of the disqualifying event that withdrew a relief, and the officer who
-- decided the claim.
ALTER TABLE cil_reliefs
    ADD COLUMN compliance_on date,
    ADD COLUMN disqualifying_event_on date,
    ADD COLUMN decision_reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT cil_reliefs_event_withdrawn CHECK ((disqualifying_event_on IS NULL) = (withdrawn_on IS NULL)),
    ADD CONSTRAINT cil_reliefs_clawed_back_not_more CHECK (clawed_back IS NULL OR clawed_back <= amount);
CREATE INDEX cil_reliefs_development ON cil_reliefs (cil_development_id);

-- Surcharges and interest: the demand notice they are added to (69(2)(e):
-- the amount payable "including any surcharges imposed in respect of or
-- interest applied to the amount"), every figure of the working, and why a
-- surcharge was quashed.
ALTER TABLE cil_charges
    ADD COLUMN demand_notice_id bigint REFERENCES cil_demand_notices (id),
    ADD COLUMN calculation jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN quash_reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT cil_charges_quash_reason CHECK ((quashed_on IS NULL) = (btrim(quash_reason) = ''));
CREATE INDEX cil_charges_development ON cil_charges (cil_development_id);
CREATE INDEX cil_parties_development ON cil_parties (cil_development_id);
CREATE INDEX cil_commencements_development ON cil_commencements (cil_development_id);

-- +goose Down
DROP INDEX cil_commencements_development, cil_parties_development, cil_charges_development, cil_reliefs_development,
    cil_instalments_due, cil_demand_notices_development;
ALTER TABLE cil_charges DROP COLUMN demand_notice_id, DROP COLUMN calculation, DROP COLUMN quash_reason;
ALTER TABLE cil_reliefs DROP COLUMN compliance_on, DROP COLUMN disqualifying_event_on, DROP COLUMN decision_reason;
ALTER TABLE cil_demand_notices DROP COLUMN basis, DROP COLUMN policy_id, DROP COLUMN note;
DROP TABLE cil_base_rates;
