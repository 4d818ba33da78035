package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/users"
)

// listRoutes are the GET routes with no parameters in their path, read from
// routes.go so a new list is covered without a line here.
func listRoutes(t *testing.T) []string {
	t.Helper()
	src := readFile(t, "routes.go")
	var out []string
	for _, m := range regexp.MustCompile(`Get\("(/[^"{*]*)"`).FindAllStringSubmatch(src, -1) {
		if m[1] != "/healthz" {
			out = append(out, m[1])
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d routes in routes.go", len(out))
	}
	return out
}

// A NUL byte or invalid UTF-8 in any search, filter or form field, or a
// malformed page link, is refused with a 400 and a message, never a 500.
func TestInvalidTextIsRefusedAtTheEdge(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	if _, err := seed.Demo(context.Background(), app.DB); err != nil {
		t.Fatal(err)
	}
	addUser(t, app.DB, "admin@council.example", users.RoleAdmin, users.RoleOfficer, users.RoleManager, users.RoleHousing)
	ts.login(t, "admin@council.example", testPassword)
	for _, path := range listRoutes(t) {
		for _, q := range []string{"q=a%00b", "q=%ff%fe", "status=%00", "sort=%c3%28"} {
			res := ts.get(t, path+"?"+q)
			if res.status != http.StatusBadRequest || htmltest.Parse(t, res.body).Text("main h1") != "Some of what was sent is not text" {
				t.Errorf("GET %s?%s: status %d, want 400 with a message", path, q, res.status)
			}
		}
	}
	for _, q := range []string{"after=garbage", "before=%21%21", "after=WyIxIl0", "before=" + url.QueryEscape("W10")} {
		if res := ts.get(t, "/obligations?"+q); res.status != http.StatusBadRequest {
			t.Errorf("GET /obligations?%s: status %d, want 400", q, res.status)
		}
	}
	// Other control characters are legal text (pasted from a word processor).
	if res := ts.get(t, "/agreements?q=a%0Bb%09c"); res.status != http.StatusOK {
		t.Errorf("a vertical tab in a search: status %d, want 200", res.status)
	}
	if res := ts.get(t, "/agreements/%00"); res.status != http.StatusBadRequest {
		t.Errorf("NUL in the path: status %d, want 400", res.status)
	}
	res := ts.post(t, "/developments", url.Values{"csrf_token": {ts.csrf(t, "/developments/new")}, "name": {"Bad\x00name"}})
	if page := htmltest.Parse(t, res.body); res.status != http.StatusBadRequest || page.Text("main h1") != "Some of what was sent is not text" ||
		!page.HasText("main p.govuk-body", "The field “name” held characters that are not text") {
		t.Errorf("NUL in a form field: status %d, want 400 naming the field\n%s", res.status, excerpt(res.body))
	}
	// The sign-in address, signed out.
	ts.client = newClient()
	for _, email := range []string{"a\x00b@council.example", "\xff@council.example"} {
		res := ts.post(t, "/login", url.Values{"email": {email}, "password": {"whatever it is"}})
		if res.status != http.StatusBadRequest {
			t.Errorf("sign-in address %q: status %d, want 400", email, res.status)
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
