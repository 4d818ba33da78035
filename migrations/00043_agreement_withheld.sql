-- +goose Up
-- What withholding an agreement from publication means (issue 17, item 7):
-- nothing that identifies the agreement is published (not its reference,
-- type, dates, obligations, transactions, homes or documents) and the same
-- holds for every deed of variation of it, however many deep. Its money and
-- homes still count in the borough-wide totals (the public overview and
-- the Infrastructure Funding Statement), which identify no agreement.
-- agreement_withheld(id) is true for a withheld agreement and for any
-- variation of one.
-- +goose StatementBegin
CREATE FUNCTION agreement_withheld(agreement bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE chain (id, varies, reason, depth) AS (
        SELECT a.id, a.varies_agreement_id, a.publication_withheld_reason, 0
        FROM agreements a WHERE a.id = agreement
        UNION ALL
        SELECT a.id, a.varies_agreement_id, a.publication_withheld_reason, c.depth + 1
        FROM agreements a JOIN chain c ON a.id = c.varies
        WHERE c.depth < 50
    )
    SELECT coalesce(bool_or(btrim(reason) <> ''), false) FROM chain
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION agreement_withheld(bigint);
