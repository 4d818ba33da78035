package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestProviderPagesAddChangeAndListItsHomes(t *testing.T) {
	t.Parallel()
	s := newHMSite(t)
	res := s.post(t, "/providers", url.Values{"name": {"Riverside Housing"}, "rsh_number": {"l4567"}, "contact_email": {"lettings@riverside.example"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", res.status, excerpt(res.body))
	}
	path := res.header.Get("Location")
	page := s.ts.get(t, path)
	for _, want := range []string{"Riverside Housing", "L4567", "lettings@riverside.example", "No homes are recorded with this provider", "Added registered provider Riverside Housing"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("provider page lacks %q", want)
		}
	}
	// A home named with the provider is listed on its page.
	var id int64
	fmt.Sscanf(path, "/providers/%d", &id)
	v := hmValues("7", "social-rent", "100023336956")
	v.Set("provider", fmt.Sprint(id))
	s.addHome(t, v)
	page = s.ts.get(t, path)
	for _, want := range []string{"Plot 7", "Mill Lane", "Social rent", "Secured", "100023336956"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("provider page lacks its home's %q", want)
		}
	}
	if list := s.ts.get(t, "/providers"); !strings.Contains(list.body, "Riverside Housing") || !strings.Contains(list.body, "Heartland Homes") {
		t.Fatal("providers list incomplete")
	}
	// Duplicate name (ignoring case) is refused, keeping input.
	res = s.post(t, "/providers", url.Values{"name": {"riverside HOUSING"}, "contact_name": {"Kept Name"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "There is already a registered provider called Riverside Housing") ||
		!strings.Contains(res.body, `value="Kept Name"`) {
		t.Fatalf("duplicate: %d\n%s", res.status, excerpt(res.body))
	}
	// Edit, then a stale edit is a conflict keeping the second officer's input.
	edit := url.Values{"name": {"Riverside Housing Group"}, "rsh_number": {"L4567"}, "version": {"1"}}
	if res := s.post(t, path, edit); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, excerpt(res.body))
	}
	stale := url.Values{"name": {"Riverside Homes"}, "contact_phone": {"01234 567890"}, "version": {"1"}}
	res = s.post(t, path, stale)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "01234 567890") || !strings.Contains(res.body, `name="version" value="2"`) {
		t.Fatalf("stale edit: %d\n%s", res.status, excerpt(res.body))
	}
	bad := url.Values{"name": {"Riverside Housing Group"}, "rsh_number": {"ABC-123-XYZ-Q"}, "version": {"2"}}
	res = s.post(t, path, bad)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.body), "Registration number must be 2 to 10 letters and digits") {
		t.Fatalf("bad registration number: %d", res.status)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE entity_type = 'registered_provider' AND entity_id = $1`, fmt.Sprint(id)); n != 2 {
		t.Fatalf("%d audit events, want 2", n)
	}
}
