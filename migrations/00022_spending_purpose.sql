-- +goose Up
-- Spend within the agreement's purpose and area.
--
-- A section 106 agreement says what its money is for ("towards the
-- provision of additional primary school places") and often where ("within
-- 2 miles of the site", "in the parish of Ashby"). Money allocated to a
-- project of another purpose needs an officer's reason (audited, and kept
-- on the allocation as override_reason); an obligation may carry its
-- spending-area restriction, shown wherever its money is allocated.
--
-- purposes_match is the one rule for "the same purpose": the same code, or
-- two codes under the same national purpose (a council's local
-- sub-purposes roll up to the data standard's list).

ALTER TABLE obligations
    ADD COLUMN spending_area text NOT NULL DEFAULT '',
    ADD COLUMN spending_ward text NOT NULL DEFAULT '';

-- +goose StatementBegin
CREATE FUNCTION purposes_match(a text, b text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a = b OR (SELECT coalesce(pa.parent_code, pa.code) = coalesce(pb.parent_code, pb.code)
                     FROM contribution_purposes pa, contribution_purposes pb
                     WHERE pa.code = a AND pb.code = b)
$$;

-- An allocation to a project of another purpose carries its reason.
CREATE FUNCTION check_allocation_purpose() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd

CREATE TRIGGER ledger_entries_allocation_purpose
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind = 'allocation')
    EXECUTE FUNCTION check_allocation_purpose();

-- +goose Down
DROP TRIGGER ledger_entries_allocation_purpose ON ledger_entries;
DROP FUNCTION check_allocation_purpose();
DROP FUNCTION purposes_match(text, text);
ALTER TABLE obligations DROP COLUMN spending_ward, DROP COLUMN spending_area;
