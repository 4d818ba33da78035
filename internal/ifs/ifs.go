// Package ifs builds the Infrastructure Funding Statement's section 106
// report (CIL Regulations 2010, Schedule 2 paragraph 3) and infrastructure
// list from the ledger, and, for a council that charges the levy, its CIL
// report (Schedule 2 paragraph 1, from the levy's ledger: cil.go, where
// each item's rules are written), checks that it reconciles, and
// publishes frozen snapshots of it.
//
// How the figures are dated. A financial year runs 1 April to 31 March and
// is named by the calendar year it starts in (2025 = 1 April 2025 to
// 31 March 2026). Every figure is as at 31 March: a ledger entry counts by
// its entry date, so an entry recorded after the year end but dated inside
// the year counts. Reversals: a reversal corrects the entry it reverses,
// so the reversed entry never counts in any year, whatever the date of the
// reversal (both are left out, as the ledger_effective view does). A
// statement already published keeps what was published: its snapshot is
// frozen, and the live statement shows what has changed since.
//
// What each item counts (the statement shows these definitions too; the
// rules quote Schedule 2 paragraph 3 beside the code in statement.go):
//   - only obligations under section 106 agreements (including unilateral
//     undertakings and deeds of variation) count; a section 278 highway
//     agreement is in no item, and is summarised in the optional section
//     paragraph 4 allows when the council switches it on;
//   - (a) money to be provided by financial and monitoring-fee obligations
//     of agreements signed in the year: each obligation's invoiced (indexed)
//     amount where it has an invoice dated by the year end, its base amount
//     otherwise;
//   - (b) receipts dated in the year;
//   - (c) money received before the year and neither allocated nor returned
//     by its end (money is used first received, first used, as for the
//     spend-by deadlines);
//   - (d) every non-monetary obligation of agreements signed in the year:
//     affordable units by tenure, school places by phase, and every other
//     in-kind obligation in words; units or places attached to a money
//     contribution are not non-monetary;
//   - allocated means decided: an allocation counts from the date of the
//     project's spending decision (or its own decision evidence, such as an
//     imported data-standard "allocated" transaction); before that it is an
//     earmark, shown on the project and not in (c), (e) or (g);
//   - (e) of the money allocated in the year (net of de-allocations) for
//     infrastructure, what was still unspent at the year end (spend draws
//     first on the oldest allocation); beside it, all such money allocated
//     and unspent at year end. Monitoring fees are not infrastructure;
//   - (f) spend dated in the year; (h)(i) per project, (h)(ii) projects
//     marked as repaying borrowing, (h)(iii) spend of monitoring fees
//     (obligations of kind monitoring-fee or purpose monitoring-fees), so
//     f = Σh(i) + Σh(ii) + h(iii);
//   - (g) per project, its part of (e), so Σg = e;
//   - (i) received by the year end less spent and returned by it; the
//     commuted sums are the part held for obligations flagged as
//     maintenance sums;
//   - the S106 projects section shows each project's decision, allocated,
//     earmarked and spent money as at 31 March, from entries dated by then.
package ifs

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

// Service builds, publishes and archives statements.
type Service struct {
	DB           *store.DB
	Organisation string
	Now          func() time.Time
	// IncludeS278 adds the optional summary of section 278 highway
	// agreements (Schedule 2 paragraph 4) to every statement built
	// (S106_IFS_S278_SECTION).
	IncludeS278 bool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Publication is a published statement: what the public archive lists.
type Publication struct {
	Year        int // the calendar year the financial year starts in
	PublishedAt time.Time
	Checksum    string
	// Files are the frozen downloads, e.g. "ifs-2025.csv",
	// "ifs-2025.html", "developer-agreement.csv", …
	Files []string
}

// Publications lists every published statement, newest year first: the
// current (latest) publication of each year.
func (s *Service) Publications(ctx context.Context) ([]Publication, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT ON (p.year) p.year, p.published_at, p.checksum,
		       coalesce((SELECT array_agg(f.name ORDER BY f.name) FROM ifs_publication_files f WHERE f.publication_id = p.id), '{}')
		FROM ifs_publications p
		ORDER BY p.year DESC, p.published_at DESC, p.id DESC`)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Publication, error) {
		var p Publication
		err := r.Scan(&p.Year, &p.PublishedAt, &p.Checksum, &p.Files)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PublicationFile returns one frozen download of a published year, with
// its content type; store.ErrNotFound when there is none.
func (s *Service) PublicationFile(ctx context.Context, year int, name string) (data []byte, contentType string, err error) {
	err = s.DB.Pool.QueryRow(ctx, `
		SELECT f.data, f.content_type
		FROM ifs_publication_files f
		WHERE f.name = $2 AND f.publication_id = (
			SELECT p.id FROM ifs_publications p WHERE p.year = $1
			ORDER BY p.published_at DESC, p.id DESC LIMIT 1)`, year, name).Scan(&data, &contentType)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", store.ErrNotFound
	}
	return data, contentType, err
}
