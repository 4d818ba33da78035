// Package datastandard writes the government's developer-contributions data
// standard (developer-agreement, developer-agreement-contribution and
// developer-agreement-transaction CSVs) from the register and the ledger,
// using the standard's codelists.
package datastandard

import (
	"context"
	"errors"

	"github.com/s106monitor/s106/internal/store"
)

// File is one CSV of the standard.
type File struct {
	Name string // e.g. "developer-agreement.csv"
	Data []byte
}

// Options choose what an export holds.
type Options struct {
	// Organisation is the council's code (config S106_ORGANISATION).
	Organisation string
	// Year, when not nil, limits the export to the financial year starting
	// 1 April of *Year (agreements signed and transactions dated in it);
	// nil exports all time.
	Year *int
	// Public leaves out draft agreements and the details of agreements
	// withheld from publication (agreements.publication_withheld_reason).
	Public bool
}

// Export writes the standard's three CSVs, in that order.
func Export(ctx context.Context, q store.Querier, opts Options) ([]File, error) {
	return nil, errors.New("datastandard: Export not built yet")
}
