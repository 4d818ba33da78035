package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// A streamed download holds its query's connection while it writes; the
// session is saved (a query of its own) when the response starts. Started
// mid-query, the response waited for a second connection: with a pool of
// twenty and twenty officers downloading, every download failed after the
// session's 10 s timeout (make bench, 20 clients on /cil/receipts.csv). A
// pool of one connection shows it with one download, once the file is
// longer than the CSV writer's buffer.
func TestStreamedCSVNeedsOneConnectionAtATime(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	app := New(testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Open(t, url), Options{})
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	a := seedAgreement(t, app, "24/S106/900", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "900000")
	f := appFixture(t, app)
	const receipts = 150 // ~10 KB of CSV: more than the writer's 4 KB buffer
	for i := range receipts {
		f.ReceivePayment("2024-06-03", fixture.Payment{Payer: fmt.Sprintf("A payer with a long enough name, number %03d", i),
			FinanceRef: fmt.Sprintf("AR-%05d", i)}, fixture.Share{ObligationID: edu, Amount: "10"})
	}

	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	one, err := store.Open(context.Background(), url+sep+"pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(one.Close)
	ts := newTestServer(t, New(testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), one, Options{}))
	ts.login(t, "officer@test.example", testPassword)
	res := ts.get(t, "/receipts.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != receipts+1 {
		t.Fatalf("status %d: %d rows (want %d), err %v", res.status, len(rows), receipts+1, err)
	}
}
