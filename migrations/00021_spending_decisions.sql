-- +goose Up
-- Allocated means decided by the authority.
--
-- CIL Regulations 2010, Schedule 2 paragraph 3(c) reports money "received
-- before the reported year which has not been allocated by the authority";
-- (e) and (g) report money "allocated but not spent". Money is allocated
-- when the authority has decided to spend it on something: a committee, a
-- cabinet member or an officer under delegated powers, on a date, with a
-- reference (minute, decision notice). Money set against a project that is
-- only proposed is earmarked, not allocated.
--
-- A project carries its spending decision. An allocation (or
-- de-allocation) entry may also carry its own decision evidence: a row of
-- the data standard's transactions with the status "allocated" is the
-- council's own record of a decision, and the import names the file.
--
-- allocation_decided_on is the one rule for the date an allocation or
-- de-allocation counts as allocated: its own date when it carries decision
-- evidence; otherwise the later of its date and the project's decision
-- date; never (NULL) while the project has no decision: an earmark.

ALTER TABLE projects
    ADD COLUMN decision_date      date,
    ADD COLUMN decision_maker     text CHECK (decision_maker IN ('committee', 'cabinet-member', 'delegated-officer', 'not-recorded')),
    ADD COLUMN decision_by        text NOT NULL DEFAULT '',
    ADD COLUMN decision_reference text NOT NULL DEFAULT '',
    ADD CONSTRAINT projects_decision_whole CHECK ((decision_date IS NULL) = (decision_maker IS NULL)),
    ADD CONSTRAINT projects_decision_reference CHECK (
        decision_maker IS NULL OR decision_maker = 'not-recorded' OR btrim(decision_reference) <> '');

ALTER TABLE ledger_entries
    ADD COLUMN decision_evidence text NOT NULL DEFAULT '',
    ADD CONSTRAINT ledger_entries_decision_evidence_kind CHECK (decision_evidence = '' OR kind IN ('allocation', 'deallocation'));

-- Existing allocations to approved projects keep counting: each project
-- approved, in progress or completed before decisions were recorded is
-- taken as decided on the earlier of the day it was added and its first
-- allocation, by a decision maker "not recorded".
UPDATE projects p
SET decision_date = least(p.created_at::date,
                          (SELECT min(e.entry_date) FROM ledger_entries e WHERE e.project_id = p.id AND e.kind = 'allocation')),
    decision_maker = 'not-recorded'
WHERE p.status IN ('approved', 'in-progress', 'completed');

-- +goose StatementBegin
CREATE FUNCTION allocation_decided_on(entry_date date, decision_evidence text, project_decision date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN decision_evidence <> '' THEN entry_date
                WHEN project_decision IS NOT NULL THEN greatest(entry_date, project_decision)
           END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION allocation_decided_on(date, text, date);
ALTER TABLE ledger_entries DROP COLUMN decision_evidence;
ALTER TABLE projects DROP COLUMN decision_reference, DROP COLUMN decision_by, DROP COLUMN decision_maker, DROP COLUMN decision_date;
