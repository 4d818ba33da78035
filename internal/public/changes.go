package public

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/money"
)

// What changed (issue 25, item 4): the Atom feeds of a development, ward
// or parish and the residents' weekly e-mails list these changes and
// nothing else. The allow-list is the kinds below, each read only from
// agreements whose details are shown:
//
//   - money received from the developer (ledger receipts),
//   - money spent, with the project's public name (ledger spend),
//   - affordable homes completed (home events),
//   - an obligation discharged (obligation events).
//
// Reversed entries and events are left out. A breach of an affordable-
// housing delivery trigger is NOT a public change: the breaches list is
// the housing team's working list of possible breaches under
// investigation, shown only to officers and to the ward's councillor.
// Nothing else — payers, finance references, notes, evidence, officers,
// addresses of homes — is read.

// ChangeKind is a kind of change the public is told about.
type ChangeKind string

// The allow-listed kinds of change.
const (
	ChangeReceived       ChangeKind = "received"
	ChangeSpent          ChangeKind = "spent"
	ChangeHomesCompleted ChangeKind = "homes-completed"
	ChangeDischarged     ChangeKind = "discharged"
)

// Change is one thing that happened.
type Change struct {
	ID              string // stable: kind and source row, for Atom ids
	Kind            ChangeKind
	On              time.Time // the date it happened
	Recorded        time.Time // when the council recorded it
	DevelopmentID   int64
	DevelopmentName string
	Purpose         string          // the obligation's purpose
	Amount          decimal.Decimal // money received or spent
	Project         string          // spend: the project's name
	Homes           int             // homes completed
}

// ChangeScope is whose changes: one development, or every development of
// a ward or parish.
type ChangeScope struct {
	DevelopmentID int64
	AreaKind      string // ward or parish
	AreaName      string
}

func (sc ChangeScope) sql() (string, any) {
	if sc.DevelopmentID != 0 {
		return `a.development_id = $1`, sc.DevelopmentID
	}
	return `a.development_id IN (` + areaDevelopments(sc.AreaKind) + `)`, sc.AreaName
}

// MaxChanges bounds a feed or digest.
const MaxChanges = 50

// Changes lists the scope's changes recorded after since, newest first,
// at most MaxChanges.
func (s *Service) Changes(ctx context.Context, sc ChangeScope, since time.Time) ([]Change, error) {
	scope, arg := sc.sql()
	rows, err := s.DB.Pool.Query(ctx, `
		WITH shown AS (
			SELECT o.id, p.name AS purpose, d.id AS development_id, d.name AS development_name
			FROM obligations o
			JOIN agreements a ON a.id = o.agreement_id
			JOIN developments d ON d.id = a.development_id
			JOIN contribution_purposes p ON p.code = o.purpose_code
			WHERE o.archived_at IS NULL AND d.archived_at IS NULL AND `+shownAgreement+` AND `+scope+`
		), changes AS (
			SELECT 'ledger-' || e.id AS id, CASE e.kind WHEN 'receipt' THEN 'received' ELSE 'spent' END AS kind,
			       e.entry_date AS on_date, e.recorded_at, sh.development_id, sh.development_name, sh.purpose,
			       e.amount, coalesce(pr.name, '') AS project, 0 AS homes
			FROM ledger_effective e JOIN shown sh ON sh.id = e.obligation_id
			LEFT JOIN projects pr ON pr.id = e.project_id
			WHERE e.kind IN ('receipt', 'spend') AND e.recorded_at > $2
			UNION ALL
			SELECT 'homes-' || sh.development_id || '-' || he.event_date, 'homes-completed', he.event_date, max(he.recorded_at),
			       sh.development_id, sh.development_name, '', 0, '', count(*)::int
			FROM home_events he JOIN homes h ON h.id = he.home_id JOIN shown sh ON sh.id = h.obligation_id
			WHERE he.kind = 'completed' AND h.archived_at IS NULL AND h.tenure <> 'market' AND he.recorded_at > $2
			  AND NOT EXISTS (SELECT 1 FROM home_events r WHERE r.reverses_id = he.id)
			GROUP BY sh.development_id, sh.development_name, he.event_date
			UNION ALL
			SELECT 'discharged-' || oe.id, 'discharged', oe.event_date, oe.recorded_at, sh.development_id, sh.development_name, sh.purpose, 0, '', 0
			FROM obligation_events oe JOIN shown sh ON sh.id = oe.obligation_id
			WHERE oe.kind = 'discharged' AND oe.recorded_at > $2
			  AND NOT EXISTS (SELECT 1 FROM obligation_events r WHERE r.reverses_id = oe.id)
		)
		SELECT id, kind, on_date, recorded_at, development_id, development_name, purpose, amount, project, homes
		FROM changes ORDER BY recorded_at DESC, on_date DESC, id LIMIT `+fmt.Sprint(MaxChanges), arg, since)
	if err != nil {
		return nil, fmt.Errorf("public changes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Change, error) {
		var c Change
		return c, row.Scan(&c.ID, &c.Kind, &c.On, &c.Recorded, &c.DevelopmentID, &c.DevelopmentName, &c.Purpose, &c.Amount, &c.Project, &c.Homes)
	})
	if err != nil {
		return nil, fmt.Errorf("public changes: %w", err)
	}
	return out, nil
}

// DevelopmentName is the name of a development residents can look up;
// store.ErrNotFound otherwise.
func (s *Service) DevelopmentName(ctx context.Context, id int64) (string, error) {
	d, err := s.GetDevelopment(ctx, id)
	return d.Name, err
}

// Summary says the change in one plain sentence.
func (c Change) Summary() string {
	switch c.Kind {
	case ChangeReceived:
		return money.Format(c.Amount) + " received from the developer for " + strings.ToLower(c.Purpose) + "."
	case ChangeSpent:
		if c.Project != "" {
			return money.Format(c.Amount) + " of the " + strings.ToLower(c.Purpose) + " money spent on " + c.Project + "."
		}
		return money.Format(c.Amount) + " of the " + strings.ToLower(c.Purpose) + " money spent."
	case ChangeHomesCompleted:
		if c.Homes == 1 {
			return "1 affordable home completed."
		}
		return fmt.Sprintf("%d affordable homes completed.", c.Homes)
	case ChangeDischarged:
		return "The " + strings.ToLower(c.Purpose) + " obligation has been met in full."
	}
	return ""
}
