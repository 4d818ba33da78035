package agreements

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// agreementColumns reads an agreement with its development's name, the
// responsible officer's name, the varied agreement's reference, its
// planning applications and its parties, in one round trip.
const agreementColumns = `a.id, a.reference, a.development_id, d.name, a.agreement_type, a.status, a.date_signed, a.deed_url,
       a.responsible_officer_id, coalesce(u.name, ''), a.varies_agreement_id, coalesce(v.reference, ''),
       a.variation_summary, a.notes,
       coalesce(apps.ids, '{}'), coalesce(apps.refs, '{}'),
       coalesce(parties.roles, '{}'), coalesce(parties.names, '{}'), coalesce(parties.numbers, '{}'),
       a.archived_at, a.created_at, a.updated_at, a.version`

const agreementJoins = `
JOIN developments d ON d.id = a.development_id
LEFT JOIN users u ON u.id = a.responsible_officer_id
LEFT JOIN agreements v ON v.id = a.varies_agreement_id
LEFT JOIN LATERAL (
    SELECT array_agg(pa.id ORDER BY upper(pa.reference)) AS ids,
           array_agg(pa.reference ORDER BY upper(pa.reference)) AS refs
    FROM agreement_applications aa
    JOIN planning_applications pa ON pa.id = aa.planning_application_id
    WHERE aa.agreement_id = a.id
) apps ON true
LEFT JOIN LATERAL (
    SELECT array_agg(ap.party_role ORDER BY ap.position) AS roles,
           array_agg(org.name ORDER BY ap.position) AS names,
           array_agg(org.company_number ORDER BY ap.position) AS numbers
    FROM agreement_parties ap
    JOIN organisations org ON org.id = ap.organisation_id
    WHERE ap.agreement_id = a.id
) parties ON true`

func scanAgreement(row pgx.Row, extra ...any) (Agreement, error) {
	var a Agreement
	var roles, names, numbers []string
	dest := append([]any{&a.ID, &a.Reference, &a.DevelopmentID, &a.DevelopmentName, &a.Type, &a.Status, &a.DateSigned, &a.DeedURL,
		&a.ResponsibleOfficerID, &a.ResponsibleOfficer, &a.VariesAgreementID, &a.VariesReference,
		&a.VariationSummary, &a.Notes,
		&a.ApplicationIDs, &a.ApplicationReferences,
		&roles, &names, &numbers,
		&a.ArchivedAt, &a.CreatedAt, &a.UpdatedAt, &a.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Agreement{}, store.ErrNotFound
		}
		return Agreement{}, err
	}
	for i := range roles {
		a.Parties = append(a.Parties, Party{Role: PartyRole(roles[i]), Name: names[i], CompanyNumber: numbers[i]})
	}
	return a, nil
}

func agreementByID(ctx context.Context, q store.Querier, id int64) (Agreement, error) {
	return scanAgreement(q.QueryRow(ctx, `SELECT `+agreementColumns+` FROM agreements a`+agreementJoins+` WHERE a.id = $1`, id))
}

// agreementByIDForUpdate locks the agreement row for the rest of the
// transaction, so edits to one agreement happen one at a time.
func agreementByIDForUpdate(ctx context.Context, q store.Querier, id int64) (Agreement, error) {
	if _, err := q.Exec(ctx, `SELECT 1 FROM agreements WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Agreement{}, err
	}
	return agreementByID(ctx, q, id)
}

func insertAgreement(ctx context.Context, q store.Querier, in AgreementInput) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed, deed_url,
		                        responsible_officer_id, varies_agreement_id, variation_summary, notes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING id`,
		in.Reference, in.DevelopmentID, in.Type, in.Status, in.DateSigned, in.DeedURL,
		in.ResponsibleOfficerID, in.VariesAgreementID, in.VariationSummary, in.Notes).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert agreement %s: %w", in.Reference, err)
	}
	return id, nil
}

func updateAgreement(ctx context.Context, q store.Querier, id int64, version int, in AgreementInput) error {
	tag, err := q.Exec(ctx, `
		UPDATE agreements SET reference = $3, development_id = $4, agreement_type = $5, status = $6, date_signed = $7,
		       deed_url = $8, responsible_officer_id = $9, varies_agreement_id = $10, variation_summary = $11, notes = $12,
		       updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`,
		id, version, in.Reference, in.DevelopmentID, in.Type, in.Status, in.DateSigned,
		in.DeedURL, in.ResponsibleOfficerID, in.VariesAgreementID, in.VariationSummary, in.Notes)
	if err != nil {
		return fmt.Errorf("update agreement %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

func setAgreementArchived(ctx context.Context, q store.Querier, id int64, version int, at *time.Time) error {
	tag, err := q.Exec(ctx, `
		UPDATE agreements SET archived_at = $3, updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`, id, version, at)
	if err != nil {
		return fmt.Errorf("archive agreement %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

// replaceAgreementLinks makes the agreement's planning applications and
// parties exactly those in the input. Parties are organisations, found by
// name (ignoring case) and company number, or created.
func replaceAgreementLinks(ctx context.Context, q store.Querier, id int64, in AgreementInput) error {
	if _, err := q.Exec(ctx, `DELETE FROM agreement_applications WHERE agreement_id = $1`, id); err != nil {
		return fmt.Errorf("replace planning applications: %w", err)
	}
	if len(in.ApplicationIDs) > 0 {
		if _, err := q.Exec(ctx, `
			INSERT INTO agreement_applications (agreement_id, planning_application_id)
			SELECT DISTINCT $1::bigint, unnest($2::bigint[])`, id, in.ApplicationIDs); err != nil {
			return fmt.Errorf("replace planning applications: %w", err)
		}
	}
	if _, err := q.Exec(ctx, `DELETE FROM agreement_parties WHERE agreement_id = $1`, id); err != nil {
		return fmt.Errorf("replace parties: %w", err)
	}
	for i, p := range in.parties() {
		orgID, err := findOrCreateOrganisation(ctx, q, p.Name, p.CompanyNumber)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `
			INSERT INTO agreement_parties (agreement_id, organisation_id, party_role, position)
			VALUES ($1, $2, $3, $4)`, id, orgID, string(p.Role), i+1); err != nil {
			return fmt.Errorf("add party %s: %w", p.Name, err)
		}
	}
	return nil
}

func findOrCreateOrganisation(ctx context.Context, q store.Querier, name, number string) (int64, error) {
	find := func() (int64, error) {
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM organisations WHERE lower(name) = lower($1) AND company_number = $2`, name, number).Scan(&id)
		return id, err
	}
	id, err := find()
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("find organisation %s: %w", name, err)
	}
	err = q.QueryRow(ctx, `
		INSERT INTO organisations (name, company_number) VALUES ($1, $2)
		ON CONFLICT (lower(name), company_number) DO NOTHING
		RETURNING id`, name, number).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		// Someone else added it a moment ago.
		id, err = find()
	}
	if err != nil {
		return 0, fmt.Errorf("add organisation %s: %w", name, err)
	}
	return id, nil
}

func agreementReferenceTaken(ctx context.Context, q store.Querier, reference string, exceptID int64) (bool, error) {
	var taken bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agreements WHERE upper(reference) = upper($1) AND id <> $2)`,
		reference, exceptID).Scan(&taken)
	return taken, err
}

// developmentArchivedForAgreement reports whether a development is
// archived, or store.ErrNotFound when there is no such development.
func developmentArchivedForAgreement(ctx context.Context, q store.Querier, id int64) (bool, error) {
	var archived bool
	err := q.QueryRow(ctx, `SELECT archived_at IS NOT NULL FROM developments WHERE id = $1`, id).Scan(&archived)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, store.ErrNotFound
	}
	return archived, err
}

func applicationsBelongTo(ctx context.Context, q store.Querier, developmentID int64, ids []int64) (bool, error) {
	unique := slices.Clone(ids)
	slices.Sort(unique)
	unique = slices.Compact(unique)
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM planning_applications WHERE development_id = $1 AND id = ANY($2)`,
		developmentID, unique).Scan(&n)
	return n == len(unique), err
}

func userIsOfficer(ctx context.Context, q store.Querier, userID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND 'officer' = ANY(roles) AND disabled_at IS NULL)`,
		userID).Scan(&ok)
	return ok, err
}

func countDeedVariations(ctx context.Context, q store.Querier, deedID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM obligation_variations WHERE variation_agreement_id = $1`, deedID).Scan(&n)
	return n, err
}

const agreementRefColumns = `a.id, a.reference, a.agreement_type, a.status, a.date_signed, d.name`

func scanAgreementRefs(rows pgx.Rows, err error) ([]AgreementRef, error) {
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []AgreementRef
	for rows.Next() {
		var r AgreementRef
		if err := rows.Scan(&r.ID, &r.Reference, &r.Type, &r.Status, &r.DateSigned, &r.DevelopmentName); err != nil {
			return nil, fmt.Errorf("list agreements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func agreementRefByID(ctx context.Context, q store.Querier, id int64) (AgreementRef, error) {
	refs, err := scanAgreementRefs(q.Query(ctx, `SELECT `+agreementRefColumns+`
		FROM agreements a JOIN developments d ON d.id = a.development_id WHERE a.id = $1`, id))
	if err != nil {
		return AgreementRef{}, err
	}
	if len(refs) == 0 {
		return AgreementRef{}, store.ErrNotFound
	}
	return refs[0], nil
}

// listVariableAgreements lists the agreements a deed of variation may vary:
// every agreement not archived, other than the deed itself.
func listVariableAgreements(ctx context.Context, q store.Querier, exceptID int64) ([]AgreementRef, error) {
	return scanAgreementRefs(q.Query(ctx, `SELECT `+agreementRefColumns+`
		FROM agreements a JOIN developments d ON d.id = a.development_id
		WHERE a.archived_at IS NULL AND a.id <> $1
		ORDER BY upper(a.reference)`, exceptID))
}

func listVaryingDeeds(ctx context.Context, q store.Querier, agreementID int64) ([]AgreementRef, error) {
	return scanAgreementRefs(q.Query(ctx, `SELECT `+agreementRefColumns+`
		FROM agreements a JOIN developments d ON d.id = a.development_id
		WHERE a.varies_agreement_id = $1
		ORDER BY a.date_signed NULLS LAST, a.id`, agreementID))
}

// agreementOrder maps each sort key to its SQL; nothing from the URL is
// ever put into SQL.
var agreementOrder = map[string]string{
	"type":        "array_position(ARRAY['section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278'], a.agreement_type)",
	"status":      "array_position(ARRAY['draft', 'completed', 'live', 'discharged', 'superseded'], a.status)",
	"obligations": "(SELECT count(*) FROM obligations o WHERE o.agreement_id = a.id AND o.archived_at IS NULL)",
}

// listAgreements reads every agreement matching w in the list's order
// (for the CSV), in full.
func listAgreements(ctx context.Context, q store.Querier, w *listing.Where, p listing.Params) ([]AgreementRow, error) {
	rows, err := q.Query(ctx, `
		SELECT `+agreementColumns+`, d.ward,
		       (SELECT count(*) FROM obligations o WHERE o.agreement_id = a.id AND o.archived_at IS NULL)
		FROM agreements a`+agreementJoins+` `+w.SQL()+`
		ORDER BY `+agreementListKeyset(p).OrderBy(false), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []AgreementRow
	for rows.Next() {
		var r AgreementRow
		if r.Agreement, err = scanAgreement(rows, &r.Ward, &r.ObligationCount); err != nil {
			return nil, fmt.Errorf("list agreements: %w", err)
		}
		r.fillParties()
		out = append(out, r)
	}
	return out, rows.Err()
}

// fillParties lists the row's developers and owners by name.
func (r *AgreementRow) fillParties() {
	for _, party := range r.Parties {
		switch party.Role {
		case PartyDeveloper:
			r.Developers = append(r.Developers, party.Name)
		case PartyOwner:
			r.Owners = append(r.Owners, party.Name)
		}
	}
}

// agreementObligationColumns reads an obligation as its agreement's page
// lists it, with its derived status.
const agreementObligationColumns = `o.id, o.clause_ref, o.kind, pu.name, o.description, s.status, o.trigger_type, o.base_amount, o.archived_at IS NOT NULL
	FROM obligations o
	JOIN contribution_purposes pu ON pu.code = o.purpose_code
	JOIN obligation_status s ON s.obligation_id = o.id`

// clauseOrder sorts clause references naturally: 2.1 before 10.1, 4.2
// before 4.10.
const clauseOrder = `o.clause_ref = '', (SELECT array_agg(m[1]::numeric) FROM regexp_matches(o.clause_ref, '\d+', 'g') m) NULLS LAST, o.clause_ref, o.id`

func scanAgreementObligations(rows pgx.Rows, err error) ([]AgreementObligation, error) {
	if err != nil {
		return nil, fmt.Errorf("list obligations: %w", err)
	}
	defer rows.Close()
	var out []AgreementObligation
	for rows.Next() {
		var o AgreementObligation
		var trigger *string
		if err := rows.Scan(&o.ID, &o.ClauseRef, &o.Kind, &o.PurposeName, &o.Description, &o.Status, &trigger, &o.BaseAmount, &o.Archived); err != nil {
			return nil, fmt.Errorf("list obligations: %w", err)
		}
		if trigger != nil {
			t := TriggerType(*trigger)
			o.TriggerType = &t
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// statusOfAgreement restricts obligation_status to one agreement's
// obligations in a form PostgreSQL pushes down into the view, so it derives
// the status of those obligations only, not of every obligation.
const statusOfAgreement = `s.obligation_id = ANY(ARRAY(SELECT id FROM obligations WHERE agreement_id = $1))`

func listAgreementObligations(ctx context.Context, q store.Querier, agreementID int64) ([]AgreementObligation, error) {
	return scanAgreementObligations(q.Query(ctx, `SELECT `+agreementObligationColumns+`
		WHERE o.agreement_id = $1 AND `+statusOfAgreement+`
		ORDER BY o.archived_at IS NOT NULL, `+clauseOrder, agreementID))
}

// listUnvariedObligations lists the obligations of the varied agreement
// (not archived) that the deed has not yet recorded a change to.
func listUnvariedObligations(ctx context.Context, q store.Querier, deedID, variedID int64) ([]AgreementObligation, error) {
	return scanAgreementObligations(q.Query(ctx, `SELECT `+agreementObligationColumns+`
		WHERE o.agreement_id = $1 AND o.archived_at IS NULL AND `+statusOfAgreement+`
		  AND NOT EXISTS (SELECT 1 FROM obligation_variations ov WHERE ov.variation_agreement_id = $2 AND ov.obligation_id = o.id)
		ORDER BY `+clauseOrder, variedID, deedID))
}

// obligationForVariation reads an obligation and the agreement it belongs
// to, locking it while its variation is recorded.
func obligationForVariation(ctx context.Context, q store.Querier, id int64) (AgreementObligation, int64, error) {
	var o AgreementObligation
	var agreementID int64
	err := q.QueryRow(ctx, `SELECT id, agreement_id, clause_ref, kind, description FROM obligations WHERE id = $1 FOR SHARE`, id).
		Scan(&o.ID, &agreementID, &o.ClauseRef, &o.Kind, &o.Description)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, 0, store.ErrNotFound
	}
	return o, agreementID, err
}

func insertDeedVariation(ctx context.Context, q store.Querier, deedID, obligationID int64, summary string) (DeedVariation, error) {
	v := DeedVariation{ObligationID: obligationID, ChangeSummary: summary}
	err := q.QueryRow(ctx, `
		INSERT INTO obligation_variations (variation_agreement_id, obligation_id, change_summary)
		VALUES ($1, $2, $3) RETURNING recorded_at`, deedID, obligationID, summary).Scan(&v.RecordedAt)
	return v, err
}

func listDeedVariations(ctx context.Context, q store.Querier, deedID int64) ([]DeedVariation, error) {
	rows, err := q.Query(ctx, `
		SELECT o.id, o.clause_ref, o.kind, o.description, ov.change_summary, ov.recorded_at
		FROM obligation_variations ov
		JOIN obligations o ON o.id = ov.obligation_id
		WHERE ov.variation_agreement_id = $1
		ORDER BY `+clauseOrder, deedID)
	if err != nil {
		return nil, fmt.Errorf("list variations: %w", err)
	}
	defer rows.Close()
	var out []DeedVariation
	for rows.Next() {
		var v DeedVariation
		if err := rows.Scan(&v.ObligationID, &v.ClauseRef, &v.Kind, &v.Description, &v.ChangeSummary, &v.RecordedAt); err != nil {
			return nil, fmt.Errorf("list variations: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// checklistFacts reads what the checklist needs: the agreement's deed link
// and officer, and its obligations that are not archived.
func checklistFacts(ctx context.Context, q store.Querier, agreementID int64) (ChecklistAgreement, []ChecklistObligation, error) {
	var a ChecklistAgreement
	err := q.QueryRow(ctx, `SELECT deed_url, responsible_officer_id, agreement_type = 'deed-of-variation' FROM agreements WHERE id = $1`, agreementID).
		Scan(&a.DeedURL, &a.ResponsibleOfficerID, &a.IsVariation)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil, store.ErrNotFound
	}
	if err != nil {
		return a, nil, fmt.Errorf("check agreement: %w", err)
	}
	rows, err := q.Query(ctx, `
		SELECT o.id, o.clause_ref, o.description, o.kind, o.trigger_type IS NOT NULL, o.spend_by_months,
		       coalesce(o.index_series, ''), o.indexation_none, o.base_amount, o.contact_name, o.contact_email
		FROM obligations o
		WHERE o.agreement_id = $1 AND o.archived_at IS NULL
		ORDER BY `+clauseOrder, agreementID)
	if err != nil {
		return a, nil, fmt.Errorf("check agreement: %w", err)
	}
	defer rows.Close()
	var obs []ChecklistObligation
	for rows.Next() {
		var o ChecklistObligation
		if err := rows.Scan(&o.ID, &o.ClauseRef, &o.Description, &o.Kind, &o.HasTrigger, &o.SpendByMonths,
			&o.IndexSeries, &o.IndexationNone, &o.BaseAmount, &o.ContactName, &o.ContactEmail); err != nil {
			return a, nil, fmt.Errorf("check agreement: %w", err)
		}
		obs = append(obs, o)
	}
	return a, obs, rows.Err()
}

func listOfficers(ctx context.Context, q store.Querier) ([]Officer, error) {
	rows, err := q.Query(ctx, `
		SELECT id, name FROM users
		WHERE 'officer' = ANY(roles) AND disabled_at IS NULL
		ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list officers: %w", err)
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		var o Officer
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, fmt.Errorf("list officers: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func listAgreementWards(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT d.ward FROM developments d
		WHERE d.ward <> '' AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id)
		ORDER BY d.ward`)
	if err != nil {
		return nil, fmt.Errorf("list wards: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, fmt.Errorf("list wards: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// agreementDevelopmentChoices lists the developments an agreement can be
// for: those not archived, plus includeID (an edited agreement's own).
func agreementDevelopmentChoices(ctx context.Context, q store.Querier, includeID int64) ([]Development, error) {
	rows, err := q.Query(ctx, `
		SELECT id, name, postcode, ward, archived_at FROM developments
		WHERE archived_at IS NULL OR id = $1
		ORDER BY lower(name), id`, includeID)
	if err != nil {
		return nil, fmt.Errorf("list developments: %w", err)
	}
	defer rows.Close()
	var out []Development
	for rows.Next() {
		var d Development
		if err := rows.Scan(&d.ID, &d.Name, &d.Postcode, &d.Ward, &d.ArchivedAt); err != nil {
			return nil, fmt.Errorf("list developments: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func agreementApplicationChoices(ctx context.Context, q store.Querier, developmentID int64) ([]PlanningApplication, error) {
	rows, err := q.Query(ctx, `
		SELECT id, development_id, reference, description, decision_date, version FROM planning_applications
		WHERE development_id = $1
		ORDER BY upper(reference)`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("list planning applications: %w", err)
	}
	defer rows.Close()
	var out []PlanningApplication
	for rows.Next() {
		var pa PlanningApplication
		if err := rows.Scan(&pa.ID, &pa.DevelopmentID, &pa.Reference, &pa.Description, &pa.DecisionDate, &pa.Version); err != nil {
			return nil, fmt.Errorf("list planning applications: %w", err)
		}
		out = append(out, pa)
	}
	return out, rows.Err()
}
