-- +goose Up
-- The ward councillor (issue 25, item 6): a read-only role that sees one
-- ward's page with the detail that is not public. A councillor holds no
-- other role (an officer who is also a councillor has two accounts), so
-- nothing an officer role opens can widen a councillor's view beyond
-- their ward. ward is the ward's name as the register and the ward
-- pages write it; empty until an administrator assigns it.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
    CHECK (roles <@ ARRAY['admin','officer','housing','manager','viewer','councillor']::text[]);
ALTER TABLE users ADD COLUMN ward text NOT NULL DEFAULT '';
ALTER TABLE users ADD CONSTRAINT users_councillor_alone
    CHECK (NOT 'councillor' = ANY(roles) OR roles = ARRAY['councillor']::text[]);

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_councillor_alone;
ALTER TABLE users DROP COLUMN ward;
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
    CHECK (roles <@ ARRAY['admin','officer','housing','manager','viewer']::text[]);
