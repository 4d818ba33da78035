package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

func TestProviderPagesAddChangeAndListItsHomes(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	res := s.post(t, "/providers", url.Values{"name": {"Riverside Housing"}, "rsh_number": {"l4567"}, "contact_email": {"lettings@riverside.example"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", res.status, excerpt(res.body))
	}
	path := res.header.Get("Location")
	page := htmltest.Parse(t, s.ts.get(t, path).body)
	rsh, _ := page.SummaryRow("Registration number")
	email, _ := page.SummaryRow("Contact email")
	if page.Text("h1") != "Riverside Housing" || rsh != "L4567" || email != "lettings@riverside.example" {
		t.Errorf("provider page: heading %q, registration number %q, e-mail %q", page.Text("h1"), rsh, email)
	}
	if !page.HasExactText("main p.govuk-body", "No homes are recorded with this provider.") {
		t.Error("provider page lacks its empty state")
	}
	if !page.HasText("table.app-history tbody td", "Added registered provider Riverside Housing") {
		t.Errorf("provider page's history: %q", page.Texts("table.app-history tbody td"))
	}
	// A home named with the provider is listed on its page.
	var id int64
	fmt.Sscanf(path, "/providers/%d", &id)
	v := hmValues("7", "social-rent", "100023336956")
	v.Set("provider", fmt.Sprint(id))
	s.addHome(t, v)
	page = htmltest.Parse(t, s.ts.get(t, path).body)
	homes := page.Rows("main table.govuk-table:not(.app-history) tbody tr")
	if len(homes) != 1 || len(homes[0]) != 5 || !strings.HasPrefix(homes[0][0], "Plot 7") || homes[0][1] != "Mill Lane" ||
		!strings.HasPrefix(homes[0][2], "Social rent") || !strings.Contains(homes[0][3], "Secured") || homes[0][4] != "100023336956" {
		t.Errorf("provider page's homes: %q", homes)
	}
	if names := htmltest.Parse(t, s.ts.get(t, "/providers").body).Texts("table tbody tr td:first-child a"); !slices.Contains(names, "Riverside Housing") || !slices.Contains(names, "Heartland Homes") {
		t.Fatal("providers list incomplete")
	}
	// Duplicate name (ignoring case) is refused, keeping input.
	res = s.post(t, "/providers", url.Values{"name": {"riverside HOUSING"}, "contact_name": {"Kept Name"}})
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!form.HasText(".govuk-error-summary__list a[href='#name']", "There is already a registered provider called Riverside Housing") ||
		form.Attr("input[name='contact_name']", "value") != "Kept Name" {
		t.Fatalf("duplicate: %d\n%s", res.status, excerpt(res.body))
	}
	// Edit, then a stale edit is a conflict keeping the second officer's input.
	edit := url.Values{"name": {"Riverside Housing Group"}, "rsh_number": {"L4567"}, "version": {"1"}}
	if res := s.post(t, path, edit); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, excerpt(res.body))
	}
	stale := url.Values{"name": {"Riverside Homes"}, "contact_phone": {"01234 567890"}, "version": {"1"}}
	res = s.post(t, path, stale)
	if form := htmltest.Parse(t, res.body); res.status != http.StatusConflict || form.Attr("input[name='contact_phone']", "value") != "01234 567890" ||
		form.Attr("input[name='version']", "value") != "2" {
		t.Fatalf("stale edit: %d\n%s", res.status, excerpt(res.body))
	}
	bad := url.Values{"name": {"Riverside Housing Group"}, "rsh_number": {"ABC-123-XYZ-Q"}, "version": {"2"}}
	res = s.post(t, path, bad)
	if res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#rsh_number']", "Registration number must be 2 to 10 letters and digits") {
		t.Fatalf("bad registration number: %d", res.status)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE entity_type = 'registered_provider' AND entity_id = $1`, fmt.Sprint(id)); n != 2 {
		t.Fatalf("%d audit events, want 2", n)
	}
}
