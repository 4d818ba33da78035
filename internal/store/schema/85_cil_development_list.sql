-- The chargeable developments list's keys, kept on each development so
-- the list's pages, counts and sorts read the developments alone (issue
-- 22, item 1).
--
-- Figures defined here:
--   list_proposed_gia: the sum of the development's proposed gross
--     internal areas (cil_floor_areas of kind 'proposed'; 0 without any);
--   list_notice_amount and list_notice_issued: the chargeable amount and
--     day of issue of the council's current liability notice (the latest
--     council notice no later notice supersedes; NULL when none is issued).
-- Pages that read them: /cil/developments and its CSV, and every page
-- showing a development (internal/cil developments.go).
--
-- How they are kept: statement triggers on cil_floor_areas (insert,
-- delete, and updates of the development, kind or area) and on
-- cil_liability_notices (insert; notices are append-only) recompute the
-- keys of the developments they touch from scratch, after locking those
-- developments' rows (FOR NO KEY UPDATE, in id order): a second writer to
-- the same development waits for the first, and its recomputation, a new
-- statement, sees what the first committed. Nothing in Go writes these
-- columns. cil_development_list_keys_computed is the computation from
-- scratch; cil_development_list_keys_drift lists the developments whose
-- kept keys differ from it (drift_report counts it, 90_drift.sql), and
-- refresh_cil_development_list_keys(ids) rewrites them (NULL: every
-- development; called by refresh_all_derived_totals). Re-applied after
-- every migrate; the columns were made by migration 00245.

CREATE OR REPLACE VIEW cil_development_list_keys_computed AS
SELECT d.id,
       coalesce((SELECT sum(a.gia) FROM cil_floor_areas a WHERE a.cil_development_id = d.id AND a.kind = 'proposed'), 0) AS list_proposed_gia,
       n.chargeable_amount AS list_notice_amount,
       n.issued_on AS list_notice_issued
FROM cil_developments d
LEFT JOIN LATERAL (SELECT l.chargeable_amount, l.issued_on FROM cil_liability_notices l
    WHERE l.cil_development_id = d.id AND l.charging_authority = 'council'
      AND NOT EXISTS (SELECT 1 FROM cil_liability_notices s WHERE s.supersedes_id = l.id)
    ORDER BY l.id DESC LIMIT 1) n ON true;

CREATE OR REPLACE VIEW cil_development_list_keys_drift AS
SELECT d.id
FROM cil_developments d JOIN cil_development_list_keys_computed c ON c.id = d.id
WHERE (d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued)
      IS DISTINCT FROM (c.list_proposed_gia, c.list_notice_amount, c.list_notice_issued);

CREATE OR REPLACE FUNCTION refresh_cil_development_list_keys(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL THEN
        UPDATE cil_developments d SET list_proposed_gia = c.list_proposed_gia,
            list_notice_amount = c.list_notice_amount, list_notice_issued = c.list_notice_issued
        FROM cil_development_list_keys_computed c
        WHERE c.id = d.id AND (d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued)
              IS DISTINCT FROM (c.list_proposed_gia, c.list_notice_amount, c.list_notice_issued);
        RETURN;
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM cil_developments WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE cil_developments d SET list_proposed_gia = c.list_proposed_gia,
        list_notice_amount = c.list_notice_amount, list_notice_issued = c.list_notice_issued
    FROM cil_development_list_keys_computed c
    WHERE c.id = d.id AND d.id = ANY (ids)
      AND (d.list_proposed_gia, d.list_notice_amount, d.list_notice_issued)
          IS DISTINCT FROM (c.list_proposed_gia, c.list_notice_amount, c.list_notice_issued);
END;
$$;

CREATE OR REPLACE FUNCTION cil_refresh_development_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_cil_development_list_keys(ARRAY(SELECT DISTINCT cil_development_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_cil_development_list_keys(ARRAY(SELECT DISTINCT cil_development_id FROM old_rows));
    ELSE
        PERFORM refresh_cil_development_list_keys(ARRAY(
            SELECT o.cil_development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.cil_development_id, o.kind, o.gia) IS DISTINCT FROM (n.cil_development_id, n.kind, n.gia)
            UNION
            SELECT n.cil_development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.cil_development_id, o.kind, o.gia) IS DISTINCT FROM (n.cil_development_id, n.kind, n.gia)));
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER cil_floor_areas_list_keys_insert
    AFTER INSERT ON cil_floor_areas REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_refresh_development_list_keys();
CREATE OR REPLACE TRIGGER cil_floor_areas_list_keys_update
    AFTER UPDATE ON cil_floor_areas REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_refresh_development_list_keys();
CREATE OR REPLACE TRIGGER cil_floor_areas_list_keys_delete
    AFTER DELETE ON cil_floor_areas REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_refresh_development_list_keys();
CREATE OR REPLACE TRIGGER cil_liability_notices_list_keys
    AFTER INSERT ON cil_liability_notices REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_refresh_development_list_keys();
