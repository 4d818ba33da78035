package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/documents/doctest"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/imports"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// roundTripPages are the pages compared after export and restore: every
// list, the dashboard and reports, the statements, the public pages, the
// downloads, and the detail pages of the first records of each kind (ids
// are kept). A table the export missed shows here as a page that differs.
func roundTripPages(t *testing.T, db *store.DB) []string {
	pages := []string{"/dashboard", "/reports/at-risk", "/reports/at-risk.csv", "/developments", "/developments.csv", "/agreements", "/agreements.csv",
		"/obligations", "/obligations.csv", "/receipts", "/receipts.csv", "/projects", "/projects.csv", "/deadlines", "/deadlines.csv",
		"/homes", "/homes.csv", "/lost-stock", "/lost-stock.csv", "/providers", "/breaches", "/alerts", "/alerts.csv", "/ifs", "/data-standard",
		"/imports/quality", "/public", "/public/developments", "/public/statements", "/public/data",
		"/admin/indices/", "/admin/purposes/", "/admin/users/", "/admin/users.csv", "/account/notifications"}
	for y := ifs.MinYear; y <= ifs.CurrentYear(time.Now()); y++ {
		pages = append(pages, fmt.Sprintf("/ifs/%d", y), fmt.Sprintf("/ifs/%d/statement.csv", y))
	}
	for _, f := range []string{"developer-agreement.csv", "developer-agreement-contribution.csv", "developer-agreement-transaction.csv"} {
		pages = append(pages, "/data-standard/"+f, "/public/data/"+f)
	}
	for _, q := range []struct{ table, path string }{
		{"developments", "/developments/%d"}, {"developments", "/developments/%d/homes"}, {"developments", "/public/developments/%d"},
		{"agreements", "/agreements/%d"}, {"obligations", "/obligations/%d"}, {"obligations", "/obligations/%d/homes"}, {"receipts", "/receipts/%d"},
		{"projects", "/projects/%d"}, {"homes", "/homes/%d"}, {"registered_providers", "/providers/%d"}, {"alerts", "/alerts/%d"},
		{"users", "/admin/users/%d"}, {"index_series", "/admin/indices/%d"},
	} {
		key := "id"
		if q.table == "index_series" {
			key = "code"
		}
		rows, err := db.Pool.Query(context.Background(), "SELECT "+key+"::text FROM "+q.table+" ORDER BY 1 LIMIT 6")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			pages = append(pages, strings.Replace(q.path, "%d", id, 1))
		}
		rows.Close()
	}
	return pages
}

var (
	csrfField = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	nonce     = regexp.MustCompile(`nonce="[^"]*"`)
	// Public pages say when their cached figures were built.
	updated = regexp.MustCompile(`Last updated: <time[^>]*>[^<]*</time>`)
	// Error pages show the request's own id.
	requestIDShown = regexp.MustCompile(`<strong class="s106-request-id">[^<]*</strong>`)
)

func normalisePage(s string) string {
	s = csrfField.ReplaceAllString(s, "csrf")
	s = updated.ReplaceAllString(s, "updated")
	s = requestIDShown.ReplaceAllString(s, "request-id")
	return nonce.ReplaceAllString(s, "nonce")
}

// TestExportRestoresIdenticalPages exports a council with s106 export's
// files, restores them into an empty database and compares every page,
// statement and dashboard figure: on the demo council and on a generated
// one.
func TestExportRestoresIdenticalPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	asOf := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		load func(*store.DB) error
	}{
		{"demo", func(db *store.DB) error {
			if _, err := seed.Demo(ctx, db); err != nil {
				return err
			}
			// A deed with a redacted public copy: documents and their
			// versions refer to each other, which the restore must order.
			var agreementID int64
			if err := db.Pool.QueryRow(ctx, `SELECT min(id) FROM agreements`).Scan(&agreementID); err != nil {
				return err
			}
			docs := &documents.Service{DB: db, MaxBytes: 1 << 20}
			d, err := docs.Add(ctx, audit.Actor{Label: "test"}, documents.Subject{Kind: documents.SubjectAgreement, ID: agreementID}, "Signed deed",
				documents.Upload{FileName: "deed.pdf", Body: bytes.NewReader(doctest.PDF(t, "The deed, unredacted"))})
			if err != nil {
				return err
			}
			v, err := docs.AddVersion(ctx, audit.Actor{Label: "test"}, d.ID, documents.Upload{FileName: "deed-redacted.pdf", Body: bytes.NewReader(doctest.PDF(t, "The deed, redacted"))})
			if err != nil {
				return err
			}
			return docs.MarkPublic(ctx, audit.Actor{Label: "test"}, d.ID, v.ID)
		}},
		{"generated", func(db *store.DB) error {
			_, err := seed.Large(ctx, db, seed.LargeOptions{Scale: 0.02, Seed: 7})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The generated council is loaded as the seeder is run (a
			// superuser, for its bulk loading), and a restore keeps ids and
			// resets sequences, which is the owner role's work.
			src := testdb.NewAs(t, testdb.Super)
			if err := c.load(src); err != nil {
				t.Fatal(err)
			}
			addUser(t, src, "roundtrip@example.org", users.RoleAdmin, users.RoleOfficer, users.RoleManager, users.RoleHousing)
			files, err := imports.ExportAll(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			dst := testdb.NewAs(t, testdb.Owner)
			rep, err := imports.Restore(ctx, dst, files, audit.Actor{Label: "test restore"}, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: restored %d tables, %d rows", c.name, rep.Tables, rep.Rows)
			if _, err := imports.Restore(ctx, dst, files, audit.Actor{Label: "test restore"}, false); err == nil {
				t.Error("a restore over a register that has records was not refused")
			}
			var drift int
			dst.Pool.QueryRow(ctx, `SELECT count(*) FROM derived_totals_drift`).Scan(&drift)
			if drift != 0 {
				t.Errorf("%d kept totals differ from the ledger after the restore", drift)
			}
			for y := ifs.MinYear; y <= ifs.CurrentYear(asOf); y++ {
				a, errA := (&ifs.Service{DB: src, Now: func() time.Time { return asOf }}).Build(ctx, y)
				b, errB := (&ifs.Service{DB: dst, Now: func() time.Time { return asOf }}).Build(ctx, y)
				if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
					t.Errorf("statement %s differs after the restore (%v %v)", fy.Year(y).Label(), errA, errB)
				}
			}
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			var servers []*testServer
			for _, db := range []*store.DB{src, dst} {
				app := New(testConfig(), logger, db, Options{})
				app.Now = func() time.Time { return asOf }
				ts := newTestServer(t, app)
				ts.login(t, "roundtrip@example.org", testPassword)
				servers = append(servers, ts)
			}
			pages := roundTripPages(t, src)
			for _, p := range pages {
				a, b := servers[0].get(t, p), servers[1].get(t, p)
				if a.status != b.status || normalisePage(a.body) != normalisePage(b.body) {
					t.Errorf("%s differs after the restore (%d, %d):\n%s", p, a.status, b.status, firstDifference(normalisePage(a.body), normalisePage(b.body)))
				}
			}
			t.Logf("%s: %d pages compared", c.name, len(pages))
		})
	}
}

func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d:\n  before: %.400s\n  after:  %.400s", i, a[from:], b[from:])
}
