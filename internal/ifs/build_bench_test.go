package ifs

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// BenchmarkBuild times a year's statement on the large dataset, when
// S106_LARGE_DATABASE_URL points at it:
//
//	S106_LARGE_DATABASE_URL=postgres://… go test ./internal/ifs -run XXX -bench Build
func BenchmarkBuild(b *testing.B) {
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
	for _, year := range []int{2020, 2023, 2025, 2026} {
		b.Run(fmt.Sprint(year), func(b *testing.B) {
			svc := &Service{DB: db, Now: func() time.Time { return now }}
			for b.Loop() {
				if _, err := svc.Build(ctx, year); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
