package dashboard

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/store"
)

// BenchmarkFigures times the dashboard's build on the large dataset when
// S106_LARGE_DATABASE_URL points at it, all parts together and each alone:
//
//	S106_LARGE_DATABASE_URL=postgres://… go test ./internal/dashboard -run XXX -bench Figures
func BenchmarkFigures(b *testing.B) {
	url := os.Getenv("S106_LARGE_DATABASE_URL")
	if url == "" {
		b.Skip("S106_LARGE_DATABASE_URL is not set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := &Service{DB: db, Ledger: &ledger.Service{DB: db, Now: func() time.Time { return now }}}
	today, year := s.Ledger.Today(), FinancialYearOf(s.Ledger.Today())
	parts := []struct {
		name string
		run  func() error
	}{
		{"all", func() error { _, err := s.Figures(ctx); return err }},
		{"money", func() error { _, err := s.money(ctx, year); return err }},
		{"timeline", func() error { _, err := s.timeline(ctx, today); return err }},
		{"homes", func() error { _, _, err := s.homes(ctx, year); return err }},
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if err := p.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
