-- +goose Up
-- The CIL report (Schedule 2 paragraph 1) of the Infrastructure Funding
-- Statement reads the levy's tables (00160_cil.sql); this adds what it
-- needs that the levy's ledger did not say (issue 20, part D).

-- Schedule 2 para 1(i): "the amount of CIL passed to— ... (ii) any person
-- under regulation 59(4)"; regulation 59(4): "any reference to applying
-- CIL includes a reference to causing it to be applied, and includes
-- passing CIL to another person for that person to apply to funding
-- infrastructure". A spend entry with transfer_to names the person CIL
-- was passed to for them to spend (as ledger_entries.transfer_to does for
-- section 106 money); it is CIL expenditure too (regulation 58A: "CIL
-- expenditure" includes "CIL receipts transferred by a charging authority
-- to another person to spend on infrastructure").
ALTER TABLE cil_ledger_entries ADD COLUMN transfer_to text NOT NULL DEFAULT ''
    CHECK (transfer_to = '' OR kind = 'spend');

-- The statement is a cached read model, rebuilt when the data version
-- goes up (00011, 00015). Officers' changes are audited, which bumps it;
-- these make the levy's rows bump it however they are written (an import,
-- a test fixture), as ledger_entries does for section 106 money.
DROP TRIGGER IF EXISTS cil_ledger_entries_data_version ON cil_ledger_entries;
CREATE CONSTRAINT TRIGGER cil_ledger_entries_data_version AFTER INSERT ON cil_ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
DROP TRIGGER IF EXISTS cil_demand_notices_data_version ON cil_demand_notices;
CREATE CONSTRAINT TRIGGER cil_demand_notices_data_version AFTER INSERT ON cil_demand_notices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
DROP TRIGGER IF EXISTS cil_recovery_notices_data_version ON cil_recovery_notices;
CREATE CONSTRAINT TRIGGER cil_recovery_notices_data_version AFTER INSERT ON cil_recovery_notices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
DROP TRIGGER IF EXISTS cil_schedules_data_version ON cil_schedules;
CREATE CONSTRAINT TRIGGER cil_schedules_data_version AFTER INSERT OR UPDATE ON cil_schedules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();

-- +goose Down
DROP TRIGGER IF EXISTS cil_schedules_data_version ON cil_schedules;
DROP TRIGGER IF EXISTS cil_recovery_notices_data_version ON cil_recovery_notices;
DROP TRIGGER IF EXISTS cil_demand_notices_data_version ON cil_demand_notices;
DROP TRIGGER IF EXISTS cil_ledger_entries_data_version ON cil_ledger_entries;
ALTER TABLE cil_ledger_entries DROP COLUMN transfer_to;
