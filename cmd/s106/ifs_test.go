package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestIFSCommandWritesTheYearsCSV(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One agreement signed 1 May 2024 with a £10,000 education obligation,
	// paid £4,000 on 31 March 2025 (2024/25) and £6,000 on 1 April 2025
	// (2025 to 2026).
	fx := fixture.New(t, db)
	_, obs := fx.AgreementWithObligations(fixture.Agreement{Reference: "24/S106/001", Site: "Mill Lane", Signed: "2024-05-01"},
		fixture.Obligation{Description: "Schools", Amount: "10000"})
	fx.Receive("2025-03-31", fixture.Share{ObligationID: obs[0].ID, Amount: "4000"})
	fx.Receive("2025-04-01", fixture.Share{ObligationID: obs[0].ID, Amount: "6000"})

	var out bytes.Buffer
	if err := runIFSTo(ctx, []string{"--year", "2024", "--format", "csv"}, &out); err != nil {
		t.Fatal(err)
	}
	// The CSV starts with the UTF-8 byte-order mark (csvtext).
	lines := strings.Split(strings.TrimPrefix(out.String(), "\ufeff"), "\n")
	// a: 10,000 (base); b: 4,000 (31 March 2025 only); i: 4,000 retained.
	for _, want := range []string{
		"section,item,description,amount",
		"s106-report,b,Money received during the year,4000.00",
		`s106-report,a,"Money to be provided under planning obligations entered into during the year (0 at indexed invoiced amount, 1 at base amount, 0 with no amount)",10000.00`,
		`s106-report,i,"Money retained at the end of the year (received in any year, not spent or returned)",4000.00`,
	} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("CSV lacks line %q\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := runIFSTo(ctx, []string{"--year", "2025", "--format", "html"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Infrastructure Funding Statement 2025 to 2026") || !strings.Contains(out.String(), "£6,000.00") {
		t.Errorf("HTML statement:\n%s", out.String())
	}
	if err := runIFSTo(ctx, []string{"--year", "1990"}, &out); err == nil {
		t.Error("a year before statements began was accepted")
	}
	if err := runIFSTo(ctx, []string{"--year", "2024", "--format", "pdf"}, &out); err == nil || !strings.Contains(err.Error(), "want csv or html") {
		t.Errorf("format pdf: %v", err)
	}
}
