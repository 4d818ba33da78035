package companieshouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// Service keeps company statuses.
type Service struct {
	DB     *store.DB
	Client *Client // nil or without a key: the API is not used
}

// Wanted is every company number to watch: developers of agreements and
// registered providers.
func (s *Service) Wanted(ctx context.Context) (map[string]bool, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT org.company_number FROM agreement_parties ap JOIN organisations org ON org.id = ap.organisation_id
		WHERE ap.party_role = 'developer' AND org.company_number <> ''
		UNION
		SELECT company_number FROM registered_providers WHERE company_number <> '' AND archived_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("company numbers: %w", err)
	}
	out := map[string]bool{}
	var n string
	_, err = pgx.ForEachRow(rows, []any{&n}, func() error { out[n] = true; return nil })
	return out, err
}

// Save records profiles from a source ("api" or "bulk").
func (s *Service) Save(ctx context.Context, actor audit.Actor, profiles map[string]Profile, source string) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		for _, p := range profiles {
			if _, err := tx.Exec(ctx, `
				INSERT INTO company_statuses (company_number, company_name, status, status_detail, source, checked_at)
				VALUES ($1, $2, $3, $4, $5, now())
				ON CONFLICT (company_number) DO UPDATE SET company_name = EXCLUDED.company_name, status = EXCLUDED.status,
					status_detail = EXCLUDED.status_detail, source = EXCLUDED.source, checked_at = now()`,
				p.CompanyNumber, p.CompanyName, p.CompanyStatus, p.CompanyStatusDetail, source); err != nil {
				return fmt.Errorf("save company %s: %w", p.CompanyNumber, err)
			}
		}
		return audit.Record(ctx, tx, actor, "companies.check", "companies", source,
			fmt.Sprintf("Checked %d companies at Companies House (%s)", len(profiles), source), nil, map[string]any{"companies": len(profiles)})
	})
}

// CheckAll asks the API for every watched company, stopping at the rate
// limit (the rest wait for the next run). It does nothing without a key.
func (s *Service) CheckAll(ctx context.Context, actor audit.Actor) (int, error) {
	if !s.Client.Configured() {
		return 0, nil
	}
	wanted, err := s.Wanted(ctx)
	if err != nil {
		return 0, err
	}
	got := map[string]Profile{}
	for n := range wanted {
		p, err := s.Client.Company(ctx, n)
		switch {
		case errors.Is(err, ErrNotFound):
			got[n] = Profile{CompanyNumber: n, CompanyStatus: "not-found", CompanyStatusDetail: "Companies House has no company with this number"}
		case errors.Is(err, ErrRateLimited):
			return len(got), s.Save(ctx, actor, got, "api")
		case err != nil:
			return len(got), errors.Join(err, s.Save(ctx, actor, got, "api"))
		default:
			p.CompanyNumber = n
			got[n] = p
		}
	}
	return len(got), s.Save(ctx, actor, got, "api")
}

// ImportBulk reads the Basic Company Data file for the watched companies.
func (s *Service) ImportBulk(ctx context.Context, actor audit.Actor, r io.Reader) (int, error) {
	wanted, err := s.Wanted(ctx)
	if err != nil {
		return 0, err
	}
	got, err := ReadBulk(r, wanted)
	if err != nil {
		return 0, err
	}
	return len(got), s.Save(ctx, actor, got, "bulk")
}

// Status is a watched company's last known status.
type Status struct {
	CompanyNumber string
	CompanyName   string
	Status        string
	Detail        string
	Source        string
	CheckedAt     time.Time
}

// Statuses lists the companies checked, troubled first.
func (s *Service) Statuses(ctx context.Context) ([]Status, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT company_number, company_name, status, status_detail, source, checked_at FROM company_statuses
		ORDER BY status IN ('active') , company_number LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Status, error) {
		var x Status
		return x, row.Scan(&x.CompanyNumber, &x.CompanyName, &x.Status, &x.Detail, &x.Source, &x.CheckedAt)
	})
}
