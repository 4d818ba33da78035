-- The chargeable developments list's keys kept on each development (issue
-- 22, item 1): its proposed gross internal area and its council's current
-- liability notice (amount and day issued). The list read them per row by
-- a sum over the floor areas and a lateral search of the notices, so every
-- page, count and sort read every development's areas and notices; kept
-- on the row, each sort order has an index and a page reads its rows
-- alone. The triggers that keep them, the refresh and the drift view are
-- internal/store/schema/85_cil_development_list.sql (re-applied after
-- every migrate); this migration adds the columns, fills them and indexes
-- each of the list's orders (the id last, as the keyset pages compare).

-- +goose Up
ALTER TABLE cil_developments
    ADD COLUMN list_proposed_gia numeric NOT NULL DEFAULT 0,
    ADD COLUMN list_notice_amount numeric(14,2),
    ADD COLUMN list_notice_issued date;

UPDATE cil_developments d SET
    list_proposed_gia = coalesce((SELECT sum(a.gia) FROM cil_floor_areas a WHERE a.cil_development_id = d.id AND a.kind = 'proposed'), 0),
    list_notice_amount = n.chargeable_amount,
    list_notice_issued = n.issued_on
FROM cil_developments d2
LEFT JOIN LATERAL (SELECT l.chargeable_amount, l.issued_on FROM cil_liability_notices l
    WHERE l.cil_development_id = d2.id AND l.charging_authority = 'council'
      AND NOT EXISTS (SELECT 1 FROM cil_liability_notices s WHERE s.supersedes_id = l.id)
    ORDER BY l.id DESC LIMIT 1) n ON true
WHERE d2.id = d.id;

CREATE INDEX cil_developments_list_reference ON cil_developments (lower(reference), id);
CREATE INDEX cil_developments_list_permission ON cil_developments (permission_date, id);
CREATE INDEX cil_developments_list_gia ON cil_developments (list_proposed_gia, id);
-- A nullable key sorts by a null flag, then the value (internal/listing
-- keyset.go): nulls last ascending uses "IS NULL", descending "IS NOT NULL".
CREATE INDEX cil_developments_list_amount ON cil_developments ((list_notice_amount IS NULL), coalesce(list_notice_amount, 0), id);
CREATE INDEX cil_developments_list_amount_desc ON cil_developments ((list_notice_amount IS NOT NULL), coalesce(list_notice_amount, 0), id);
CREATE INDEX cil_developments_list_issued ON cil_developments ((list_notice_issued IS NULL), coalesce(list_notice_issued, 'epoch'::date), id);
CREATE INDEX cil_developments_list_issued_desc ON cil_developments ((list_notice_issued IS NOT NULL), coalesce(list_notice_issued, 'epoch'::date), id);
DROP INDEX cil_developments_permission;

-- +goose Down
CREATE INDEX cil_developments_permission ON cil_developments (permission_date);
DROP INDEX cil_developments_list_issued_desc;
DROP INDEX cil_developments_list_issued;
DROP INDEX cil_developments_list_amount_desc;
DROP INDEX cil_developments_list_amount;
DROP INDEX cil_developments_list_gia;
DROP INDEX cil_developments_list_permission;
DROP INDEX cil_developments_list_reference;
DROP TRIGGER IF EXISTS cil_floor_areas_list_keys_insert ON cil_floor_areas;
DROP TRIGGER IF EXISTS cil_floor_areas_list_keys_update ON cil_floor_areas;
DROP TRIGGER IF EXISTS cil_floor_areas_list_keys_delete ON cil_floor_areas;
DROP TRIGGER IF EXISTS cil_liability_notices_list_keys ON cil_liability_notices;
DROP VIEW IF EXISTS cil_development_list_keys_drift;
DROP VIEW IF EXISTS cil_development_list_keys_computed;
ALTER TABLE cil_developments DROP COLUMN list_proposed_gia, DROP COLUMN list_notice_amount, DROP COLUMN list_notice_issued;
