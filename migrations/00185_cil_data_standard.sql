-- The developer-contributions data standard for the levy (issue 20, item 7).
--
-- The standard's guidance splits a CIL demand notice into contributions:
-- "For CIL, the total sum should be split into separate developer
-- agreement contributions with the contribution-purpose as either CIL, CIL
-- administration, Neighbourhood CIL or as Mayoral CIL. If the CIL is being
-- paid by instalments, each instalment should be recorded separately."
-- (digital-land/digital-land, content/guidance/developer-contributions/
-- create-your-csv-files.md). A demand notice made in the service states
-- its instalments (cil_instalments) and the export splits them by purpose;
-- a notice imported from a council's files keeps the contributions the
-- council published, by purpose and instalment, here, so that the export
-- writes them back as they came (the round trip) and nothing of the
-- council's own split is lost. reference is the council's own and is not
-- unique: councils' files repeat it (Wiltshire's contribution "id" is the
-- planning application; Islington gives the borough's and the Mayor's
-- administration rows one id). Append-only, as the notice it splits.

-- +goose Up
CREATE TABLE cil_demand_contributions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demand_notice_id bigint NOT NULL REFERENCES cil_demand_notices (id),
    instalment_id    bigint REFERENCES cil_instalments (id),
    purpose          text NOT NULL CHECK (purpose IN ('community-infrastructure-levy', 'mayoral-community-infrastructure-levy',
                         'neighbourhood-community-infrastructure-levy', 'cil-administration-costs')),
    amount           numeric(14,2) NOT NULL CHECK (amount > 0),
    reference        text NOT NULL CHECK (btrim(reference) <> ''),
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cil_demand_contributions_notice ON cil_demand_contributions (demand_notice_id);

CREATE TRIGGER cil_demand_contributions_append_only BEFORE UPDATE OR DELETE ON cil_demand_contributions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
REVOKE UPDATE, DELETE ON cil_demand_contributions FROM s106_app;

-- +goose Down
DROP TABLE cil_demand_contributions;
