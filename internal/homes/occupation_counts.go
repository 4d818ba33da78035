package homes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// OccupationSource is where a dated count of market occupations comes from.
type OccupationSource string

// Sources of a market occupation count.
const (
	SourceBuildingControl OccupationSource = "building-control"
	SourceCouncilTax      OccupationSource = "council-tax"
	SourceDeveloper       OccupationSource = "developer"
	SourceOther           OccupationSource = "other"
)

// OccupationSources lists the sources in the order forms show them.
var OccupationSources = []OccupationSource{SourceBuildingControl, SourceCouncilTax, SourceDeveloper, SourceOther}

// Label names the source as officers say it.
func (s OccupationSource) Label() string {
	switch s {
	case SourceBuildingControl:
		return "Building control completions"
	case SourceCouncilTax:
		return "Council tax registrations"
	case SourceDeveloper:
		return "The developer"
	case SourceOther:
		return "Other"
	}
	return string(s)
}

// OccupationCount is a count of a development's market homes occupied on
// a date: the way councils usually know market occupations (not home by
// home). The latest count stands; the delivery trigger uses the larger of
// it and the market homes recorded as occupied.
type OccupationCount struct {
	ID            int64
	DevelopmentID int64
	CountedOn     time.Time
	MarketHomes   *int // the market homes it is out of, when the source gives it
	Occupied      int
	Source        OccupationSource
	Evidence      string
	RecordedBy    string // the officer's name, or the link holder's
	RecordedAt    time.Time
}

// OccupationCountInput is a count as typed; numbers were parsed by the
// form layer (nil when blank or unreadable).
type OccupationCountInput struct {
	CountedOn   *time.Time
	MarketHomes *int
	Occupied    *int
	Source      string
	Evidence    string
}

// OccupationCountFields orders the form's fields for the error summary.
var OccupationCountFields = []string{"counted_on", "market_homes", "occupied", "source", "evidence"}

func (in OccupationCountInput) validate(today time.Time) *forms.Errors {
	errs := &forms.Errors{}
	switch {
	case in.CountedOn == nil:
		errs.Add("counted_on", "Enter the date of the count")
	case in.CountedOn.After(today):
		errs.Add("counted_on", "The date of the count must be today or in the past")
	}
	if in.Occupied == nil {
		errs.Add("occupied", "Enter the number of market homes occupied")
	} else if *in.Occupied < 0 {
		errs.Add("occupied", "Market homes occupied must be 0 or more")
	}
	if in.MarketHomes != nil && in.Occupied != nil && *in.Occupied > *in.MarketHomes {
		errs.Add("occupied", fmt.Sprintf("Market homes occupied cannot be more than the %d market homes", *in.MarketHomes))
	}
	valid := false
	for _, s := range OccupationSources {
		valid = valid || string(s) == in.Source
	}
	if !valid {
		errs.Add("source", "Select where the count comes from")
	}
	if len(in.Evidence) > 500 {
		errs.Add("evidence", "Evidence must be 500 characters or fewer")
	}
	return errs
}

// RecordOccupationCount records a dated count of a development's market
// homes occupied. givenBy names the holder when it arrives through a
// capability link (accepted by an officer); empty for an officer's own.
func (s *Service) RecordOccupationCount(ctx context.Context, actor audit.Actor, developmentID int64, in OccupationCountInput, givenBy string) (OccupationCount, error) {
	in.Evidence = strings.TrimSpace(in.Evidence)
	if errs := in.validate(s.now()); errs.Any() {
		return OccupationCount{}, errs
	}
	var c OccupationCount
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = insertOccupationCount(ctx, tx, actor, developmentID, in, givenBy)
		return err
	})
	return c, err
}

// insertOccupationCount writes a validated count and its audit event.
func insertOccupationCount(ctx context.Context, tx pgx.Tx, actor audit.Actor, developmentID int64, in OccupationCountInput, givenBy string) (OccupationCount, error) {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM developments WHERE id = $1)`, developmentID).Scan(&exists); err != nil {
		return OccupationCount{}, err
	}
	if !exists {
		return OccupationCount{}, store.ErrNotFound
	}
	var recordedBy *int64
	if actor.UserID != 0 {
		recordedBy = &actor.UserID
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO market_occupation_counts (development_id, counted_on, market_homes, occupied, source, evidence, recorded_by, given_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		developmentID, *in.CountedOn, in.MarketHomes, *in.Occupied, in.Source, in.Evidence, recordedBy, givenBy).Scan(&id)
	if err != nil {
		return OccupationCount{}, fmt.Errorf("record occupation count: %w", err)
	}
	after := map[string]any{"counted on": in.CountedOn.Format("2006-01-02"), "market homes occupied": *in.Occupied,
		"source": OccupationSource(in.Source).Label(), "evidence": in.Evidence}
	if in.MarketHomes != nil {
		after["market homes"] = *in.MarketHomes
	}
	if givenBy != "" {
		after["given by"] = givenBy
	}
	summary := fmt.Sprintf("Recorded %d market homes occupied on %s", *in.Occupied, in.CountedOn.Format("2 January 2006"))
	if err := audit.Record(ctx, tx, actor, "development.occupation-count", "development", strconv.FormatInt(developmentID, 10), summary, nil, after); err != nil {
		return OccupationCount{}, err
	}
	cs, err := occupationCounts(ctx, tx, developmentID, id)
	if err != nil || len(cs) == 0 {
		return OccupationCount{}, fmt.Errorf("read occupation count %d: %w", id, err)
	}
	return cs[0], nil
}

// OccupationCounts lists a development's market occupation counts, the
// latest (the one that stands) first.
func (s *Service) OccupationCounts(ctx context.Context, developmentID int64) ([]OccupationCount, error) {
	return occupationCounts(ctx, s.DB.Pool, developmentID, 0)
}

func occupationCounts(ctx context.Context, q store.Querier, developmentID, id int64) ([]OccupationCount, error) {
	rows, err := q.Query(ctx, `
		SELECT k.id, k.development_id, k.counted_on, k.market_homes, k.occupied, k.source, k.evidence,
		       coalesce(nullif(k.given_by, ''), u.name, ''), k.recorded_at
		FROM market_occupation_counts k LEFT JOIN users u ON u.id = k.recorded_by
		WHERE k.development_id = $1 AND ($2 = 0 OR k.id = $2)
		ORDER BY k.counted_on DESC, k.id DESC
		LIMIT 100`, developmentID, id)
	if err != nil {
		return nil, fmt.Errorf("occupation counts: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OccupationCount, error) {
		var c OccupationCount
		err := row.Scan(&c.ID, &c.DevelopmentID, &c.CountedOn, &c.MarketHomes, &c.Occupied, &c.Source, &c.Evidence, &c.RecordedBy, &c.RecordedAt)
		return c, err
	})
}
