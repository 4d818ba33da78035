package public

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// DevelopmentRow is one development in the public list.
type DevelopmentRow struct {
	ID       int64
	Name     string
	Address  string
	Postcode string
	Ward     string
	Status   string // live, completed or discharged: the most active of its agreements
}

// DevelopmentSorts are the columns the public list sorts by.
var DevelopmentSorts = []string{"name", "ward", "postcode", "status"}

// Statuses are the agreement statuses the public list filters by.
var Statuses = []string{"live", "completed", "discharged"}

// developmentStatus is the most active public status of a development's
// agreements.
const developmentStatus = `(SELECT CASE WHEN bool_or(a.status = 'live') THEN 'live'
		WHEN bool_or(a.status = 'completed') THEN 'completed' ELSE 'discharged' END
	FROM agreements a WHERE a.development_id = d.id AND ` + publicAgreement + `)`

// Developments lists the developments with a live, completed or discharged
// agreement: q searches name, address, postcode and ward; ward and status
// filter.
func (s *Service) Developments(ctx context.Context, p listing.Params) (listing.Page[DevelopmentRow], error) {
	w := &listing.Where{}
	w.Add(`d.archived_at IS NULL`)
	w.Add(`EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND ` + publicAgreement + `)`)
	if q := p.Search; q != "" {
		like := listing.Like(q)
		squashed := listing.Like(strings.ReplaceAll(q, " ", ""))
		w.Add(`(search_fold(d.name) LIKE search_fold(?) OR search_fold(d.address) LIKE search_fold(?) OR search_fold(d.ward) LIKE search_fold(?) OR replace(d.postcode, ' ', '') ILIKE ?)`, like, like, like, squashed)
	}
	if ward := p.Get("ward"); ward != "" {
		w.Add(`lower(d.ward) = lower(?)`, ward)
	}
	if st := p.Get("status"); st != "" {
		w.Add(developmentStatus+` = ?`, st)
	}
	order := map[string]string{
		"name":     `lower(d.name)`,
		"ward":     `lower(d.ward)`,
		"postcode": `d.postcode`,
		"status":   `status`,
	}[p.Sort]
	if order == "" {
		order = `lower(d.name)`
	}
	sql := `SELECT d.id, d.name, d.address, d.postcode, d.ward, ` + developmentStatus + ` AS status, count(*) OVER ()
		FROM developments d ` + w.SQL() + `
		ORDER BY ` + order + ` ` + p.Direction() + `, d.id
		LIMIT ` + w.Arg(p.PerPage) + ` OFFSET ` + w.Arg(p.Offset())
	rows, err := s.DB.Pool.Query(ctx, sql, w.Args...)
	if err != nil {
		return listing.Page[DevelopmentRow]{Params: p}, fmt.Errorf("public developments: %w", err)
	}
	total := 0
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DevelopmentRow, error) {
		var d DevelopmentRow
		return d, row.Scan(&d.ID, &d.Name, &d.Address, &d.Postcode, &d.Ward, &d.Status, &total)
	})
	if err != nil {
		return listing.Page[DevelopmentRow]{Params: p}, fmt.Errorf("public developments: %w", err)
	}
	return listing.Page[DevelopmentRow]{Items: items, Total: total, Params: p}, nil
}

// Wards lists the wards of the developments in the public list.
func (s *Service) Wards(ctx context.Context) ([]string, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT d.ward FROM developments d
		WHERE d.archived_at IS NULL AND d.ward <> ''
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+publicAgreement+`)
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("public wards: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Development is everything a development's public page shows.
type Development struct {
	ID           int64
	Name         string
	Address      string
	Postcode     string
	Ward         string
	Applications []string // planning application references
	Agreements   []Agreement
	// WithheldCount agreements (or variations of them) are withheld from
	// publication: not listed, nothing about them shown.
	WithheldCount int
	Homes         []HomesLine
	Received      decimal.Decimal
	Spent         decimal.Decimal
	Projects      []ProjectSpend
}

// AnyWithheld reports whether some agreement is withheld.
func (d Development) AnyWithheld() bool { return d.WithheldCount > 0 }

// Agreement is a public agreement; when Withheld, only that it exists.
type Agreement struct {
	Reference   string
	Type        string // e.g. "section-106"
	Status      string
	DateSigned  *time.Time
	Withheld    bool
	Obligations []Obligation
	// Deed is the redacted copy of the deed an officer marked public
	// (issue 24), if any: the only document ever served publicly.
	Deed *Deed
}

// Deed is the public, redacted copy of an agreement's deed.
type Deed struct {
	VersionID int64
	FileName  string
	Size      int64
}

// Obligation is what the developer must do or pay, and where it has got.
type Obligation struct {
	Kind        string // e.g. "financial", "affordable-housing"
	Purpose     string // the purpose's name
	Description string // the clause as written in the deed
	Amount      *decimal.Decimal
	Status      string // the derived obligation status, e.g. "paid"
	Received    decimal.Decimal
	Spent       decimal.Decimal
	// What makes it due (issue 25, item 5: said in plain words).
	TriggerType     string // e.g. "occupation-count"; empty when not recorded
	TriggerQuantity *int
	TriggerDate     *time.Time
}

// HomesLine compares the affordable homes agreed and delivered for one
// tenure and size.
type HomesLine struct {
	Tenure    string
	Bedrooms  int
	Agreed    int
	Delivered int // completed
}

// ProjectSpend is a project the development's money was spent on.
type ProjectSpend struct {
	Name  string
	Spent decimal.Decimal
}

// GetDevelopment returns a development with a public agreement;
// store.ErrNotFound for any other (unknown, archived or drafts only).
func (s *Service) GetDevelopment(ctx context.Context, id int64) (Development, error) {
	var d Development
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT d.id, d.name, d.address, d.postcode, d.ward FROM developments d
		WHERE d.id = $1 AND d.archived_at IS NULL
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+publicAgreement+`)`, id).
		Scan(&d.ID, &d.Name, &d.Address, &d.Postcode, &d.Ward)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, store.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("public development %d: %w", id, err)
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT pa.reference FROM planning_applications pa
		JOIN agreement_applications aa ON aa.planning_application_id = pa.id
		JOIN agreements a ON a.id = aa.agreement_id
		WHERE a.development_id = $1 AND `+publicAgreement+`
		ORDER BY 1`, id)
	if err != nil {
		return d, fmt.Errorf("public development applications: %w", err)
	}
	if d.Applications, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return d, fmt.Errorf("public development applications: %w", err)
	}
	if err := s.developmentAgreements(ctx, &d); err != nil {
		return d, err
	}
	if err := s.developmentHomes(ctx, &d); err != nil {
		return d, err
	}
	return d, s.developmentMoney(ctx, &d)
}

// shownAgreement is a public agreement whose details are not withheld.
// A withheld agreement, and every variation of one, is not shown at all
// (migration 00043, agreement_withheld).
const shownAgreement = publicAgreement + ` AND NOT agreement_withheld(a.id)`

func (s *Service) developmentAgreements(ctx context.Context, d *Development) error {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT a.id, a.reference, a.agreement_type, a.status, a.date_signed, false, v.id, v.file_name, v.size
		FROM agreements a
		LEFT JOIN documents doc ON doc.agreement_id = a.id AND doc.public_version_id IS NOT NULL AND doc.archived_at IS NULL
		LEFT JOIN document_versions v ON v.id = doc.public_version_id
		WHERE a.development_id = $1 AND `+shownAgreement+`
		ORDER BY a.date_signed, a.id`, d.ID)
	if err != nil {
		return fmt.Errorf("public development agreements: %w", err)
	}
	var ids []int64
	d.Agreements, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Agreement, error) {
		var a Agreement
		var id int64
		var deedID *int64
		var deedName *string
		var deedSize *int64
		err := row.Scan(&id, &a.Reference, &a.Type, &a.Status, &a.DateSigned, &a.Withheld, &deedID, &deedName, &deedSize)
		if deedID != nil {
			a.Deed = &Deed{VersionID: *deedID, FileName: *deedName, Size: *deedSize}
		}
		ids = append(ids, id)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("public development agreements: %w", err)
	}
	// That some agreement is withheld is said, and nothing more.
	if err := s.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM agreements a WHERE a.development_id = $1 AND `+publicAgreement+` AND agreement_withheld(a.id)`, d.ID).Scan(&d.WithheldCount); err != nil {
		return fmt.Errorf("public development agreements: %w", err)
	}
	index := map[int64]int{}
	for i, id := range ids {
		index[id] = i
	}
	rows, err = s.DB.Pool.Query(ctx, `
		SELECT o.agreement_id, o.kind, p.name, o.description, o.base_amount, st.status, st.received, st.spent,
		       coalesce(o.trigger_type, ''), o.trigger_quantity, o.trigger_date
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes p ON p.code = o.purpose_code
		JOIN obligation_status st ON st.obligation_id = o.id
		WHERE a.development_id = $1 AND o.archived_at IS NULL AND `+shownAgreement+`
		ORDER BY o.agreement_id, o.id`, d.ID)
	if err != nil {
		return fmt.Errorf("public development obligations: %w", err)
	}
	var agreementID int64
	var o Obligation
	_, err = pgx.ForEachRow(rows, []any{&agreementID, &o.Kind, &o.Purpose, &o.Description, &o.Amount, &o.Status, &o.Received, &o.Spent, &o.TriggerType, &o.TriggerQuantity, &o.TriggerDate}, func() error {
		i := index[agreementID]
		d.Agreements[i].Obligations = append(d.Agreements[i].Obligations, o)
		return nil
	})
	if err != nil {
		return fmt.Errorf("public development obligations: %w", err)
	}
	return nil
}

func (s *Service) developmentHomes(ctx context.Context, d *Development) error {
	rows, err := s.DB.Pool.Query(ctx, `
		WITH agreed AS (
			SELECT l.tenure, l.bedrooms, sum(l.homes)::int AS homes
			FROM affordable_mix_lines l
			JOIN obligations o ON o.id = l.obligation_id
			JOIN agreements a ON a.id = o.agreement_id
			WHERE a.development_id = $1 AND o.archived_at IS NULL AND `+shownAgreement+`
			GROUP BY 1, 2
		), delivered AS (
			SELECT h.tenure, h.bedrooms, count(*)::int AS homes
			FROM homes h JOIN home_state st ON st.home_id = h.id
			JOIN obligations o ON o.id = h.obligation_id
			JOIN agreements a ON a.id = o.agreement_id
			WHERE h.development_id = $1 AND h.archived_at IS NULL AND st.completed_on IS NOT NULL AND `+shownAgreement+`
			GROUP BY 1, 2
		)
		SELECT coalesce(ag.tenure, de.tenure), coalesce(ag.bedrooms, de.bedrooms), coalesce(ag.homes, 0), coalesce(de.homes, 0)
		FROM agreed ag FULL JOIN delivered de ON de.tenure = ag.tenure AND de.bedrooms = ag.bedrooms
		JOIN tenure_products tp ON tp.code = coalesce(ag.tenure, de.tenure)
		ORDER BY tp.sort_order, 2`, d.ID)
	if err != nil {
		return fmt.Errorf("public development homes: %w", err)
	}
	d.Homes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (HomesLine, error) {
		var l HomesLine
		return l, row.Scan(&l.Tenure, &l.Bedrooms, &l.Agreed, &l.Delivered)
	})
	if err != nil {
		return fmt.Errorf("public development homes: %w", err)
	}
	return nil
}

func (s *Service) developmentMoney(ctx context.Context, d *Development) error {
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT coalesce(sum(b.received), 0), coalesce(sum(b.spent), 0)
		FROM obligation_balances b JOIN obligations o ON o.id = b.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		WHERE a.development_id = $1 AND o.archived_at IS NULL AND `+shownAgreement, d.ID).Scan(&d.Received, &d.Spent)
	if err != nil {
		return fmt.Errorf("public development money: %w", err)
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT pr.name, sum(e.amount)
		FROM ledger_effective e
		JOIN projects pr ON pr.id = e.project_id
		JOIN obligations o ON o.id = e.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		WHERE e.kind = 'spend' AND a.development_id = $1 AND o.archived_at IS NULL AND `+shownAgreement+`
		GROUP BY pr.name ORDER BY pr.name`, d.ID)
	if err != nil {
		return fmt.Errorf("public development projects: %w", err)
	}
	d.Projects, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ProjectSpend, error) {
		var p ProjectSpend
		return p, row.Scan(&p.Name, &p.Spent)
	})
	if err != nil {
		return fmt.Errorf("public development projects: %w", err)
	}
	return nil
}

// HomeRecord is one row of the open-data homes file: nothing else about a
// home is published.
type HomeRecord struct {
	UPRN        string
	Development string
	Tenure      string
	Bedrooms    int
	State       string
}

// HomesData lists the affordable homes of public developments, leaving
// out those of agreements withheld from publication.
func (s *Service) HomesData(ctx context.Context) ([]HomeRecord, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT coalesce(h.uprn, ''), d.name, st.current_tenure, h.bedrooms, st.state
		FROM homes h JOIN home_state st ON st.home_id = h.id
		JOIN developments d ON d.id = h.development_id
		LEFT JOIN obligations o ON o.id = h.obligation_id
		LEFT JOIN agreements oa ON oa.id = o.agreement_id
		WHERE h.archived_at IS NULL AND d.archived_at IS NULL AND h.tenure <> 'market'
		  AND (oa.id IS NULL OR (oa.status IN ('live', 'completed', 'discharged') AND oa.archived_at IS NULL AND NOT agreement_withheld(oa.id)))
		  AND EXISTS (SELECT 1 FROM agreements a WHERE a.development_id = d.id AND `+shownAgreement+`)
		ORDER BY d.name, h.uprn NULLS LAST, h.id`)
	if err != nil {
		return nil, fmt.Errorf("public homes data: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (HomeRecord, error) {
		var h HomeRecord
		return h, row.Scan(&h.UPRN, &h.Development, &h.Tenure, &h.Bedrooms, &h.State)
	})
	if err != nil {
		return nil, fmt.Errorf("public homes data: %w", err)
	}
	return out, nil
}

// DeedDocument says which document holds the version asked for when, and
// only when, that version is the public copy of a deed of an agreement
// shown on the public pages; otherwise store.ErrNotFound. Nothing else
// attached to a record is ever served publicly.
func (s *Service) DeedDocument(ctx context.Context, versionID int64) (int64, error) {
	var docID int64
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT doc.id FROM documents doc JOIN agreements a ON a.id = doc.agreement_id
		WHERE doc.public_version_id = $1 AND doc.archived_at IS NULL AND `+shownAgreement, versionID).Scan(&docID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	return docID, err
}
