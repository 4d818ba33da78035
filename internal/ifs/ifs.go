// Package ifs builds the Infrastructure Funding Statement's section 106
// report (CIL Regulations 2010, Schedule 2 paragraph 3) and infrastructure
// list from the ledger, checks that it reconciles, and publishes frozen
// snapshots of it.
package ifs

import (
	"context"
	"errors"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Service builds, publishes and archives statements.
type Service struct {
	DB           *store.DB
	Organisation string
	Now          func() time.Time
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

// Publications lists every published statement, newest year first.
func (s *Service) Publications(ctx context.Context) ([]Publication, error) {
	return nil, errors.New("ifs: Publications not built yet")
}

// PublicationFile returns one frozen download of a published year, with
// its content type; store.ErrNotFound when there is none.
func (s *Service) PublicationFile(ctx context.Context, year int, name string) (data []byte, contentType string, err error) {
	return nil, "", store.ErrNotFound
}
