package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// An admin adds a tenure product the council uses; the home form then
// offers it and a home can be secured at it. Providers record their type
// and company number.
//
// Not parallel: the tenure products are a process-wide list that every
// test app reloads from its own database when it starts, so another test
// starting alongside would drop the product this one adds before its home
// form is read. (One server serves one database, so production does not
// meet this; another server sees a new product only after it restarts.)
func TestAdminAddsATenureProductAndProvidersHaveATypeAndCompanyNumber(t *testing.T) {
	f := newHousingFixture(t)
	addUser(t, f.app.DB, "admin@test.example", users.RoleAdmin)
	admin := newTestServer(t, f.app)
	admin.login(t, "admin@test.example", testPassword)
	products := htmltest.Parse(t, admin.get(t, "/admin/tenures").body).Texts("table tbody tr td:first-child")
	for _, want := range []string{"London Living Rent", "Discount market rent", "Shared equity", "First Homes", "Discount market sale"} {
		if !slices.Contains(products, want) {
			t.Errorf("tenures page lacks %q", want)
		}
	}
	csrf := admin.csrf(t, "/admin/tenures")
	res := admin.post(t, "/admin/tenures", url.Values{"csrf_token": {csrf}, "label": {""}, "description": {"kept"}})
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!form.HasText(".govuk-error-summary__list a[href='#label']", "Enter the name of the tenure product") ||
		!form.HasText(".govuk-error-summary__list a", "Select whether the product is rented or owned") || form.ValueByID("description") != "kept" {
		t.Fatalf("blank product: %d\n%s", res.status, excerpt(res.body))
	}
	res = admin.post(t, "/admin/tenures", url.Values{"csrf_token": {csrf}, "label": {"Key worker rent"}, "category": {"rent"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add product: %d\n%s", res.status, excerpt(res.body))
	}
	res = admin.post(t, "/admin/tenures", url.Values{"csrf_token": {csrf}, "label": {"key worker RENT"}, "category": {"rent"}})
	if res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#label']", "There is already a tenure product called key worker RENT") {
		t.Fatalf("duplicate product: %d\n%s", res.status, excerpt(res.body))
	}

	f.ts.login(t, "housing@test.example", testPassword)
	form := f.ts.get(t, fmt.Sprintf("/developments/%d/homes/new", f.devID))
	if !htmltest.Parse(t, form.body).HasExactText("select option[value='key-worker-rent']", "Key worker rent") {
		t.Fatalf("home form does not offer the new product\n%s", excerpt(form.body))
	}
	res = f.post(f.ts, fmt.Sprintf("/developments/%d/homes", f.devID), url.Values{"plot": {"KW1"}, "tenure": {"key-worker-rent"},
		"bedrooms": {"1"}, "wheelchair": {"none"}, "obligation": {fmt.Sprint(f.obligationID)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("home at the new tenure: %d\n%s", res.status, excerpt(res.body))
	}
	var tenure string
	f.scan(`SELECT tenure FROM homes WHERE plot = 'KW1'`, nil, &tenure)
	if tenure != "key-worker-rent" {
		t.Fatalf("tenure %q", tenure)
	}

	res = f.post(f.ts, "/providers", url.Values{"name": {"Wessex Vale District Council"}, "provider_type": {"local-authority"},
		"rsh_number": {"45ub"}, "company_number": {"x"}})
	if res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#company_number']", "Company number must be 8 digits") {
		t.Fatalf("bad company number: %d\n%s", res.status, excerpt(res.body))
	}
	res = f.post(f.ts, "/providers", url.Values{"name": {"Vale Homes"}, "provider_type": {"private-registered-provider"},
		"rsh_number": {"L4821"}, "company_number": {"1234567"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("provider: %d\n%s", res.status, excerpt(res.body))
	}
	shown := htmltest.Parse(t, f.ts.get(t, res.header.Get("Location")).body)
	for key, want := range map[string]string{"Type": "Private registered provider (housing association)", "Company number": "01234567", "Registration number": "L4821"} {
		if got, _ := shown.SummaryRow(key); got != want {
			t.Errorf("provider page's %s is %q, want %q", key, got, want)
		}
	}
}
