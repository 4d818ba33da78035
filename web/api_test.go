package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/apitokens"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/users"
)

// apiFixture is a register with one of everything the API reads, a user
// of each role, and tokens of each scope for each of them.
type apiFixture struct {
	app    *Application
	ts     *testServer
	doc    *openapi3.T
	router routers.Router
	// tokens["officer/write"] is a write token of the officer, and
	// "system-officer/write" one of a system given the officer role.
	tokens map[string]string
	users  map[users.Role]users.User

	developmentID, agreementID, obligationID, receiptID, entryID, projectID, homeID, providerID int64
	// checked counts the responses validated against the document.
	checked int
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
	f := &apiFixture{app: app, ts: newTestServer(t, app), tokens: map[string]string{}, users: map[users.Role]users.User{}}
	ctx := context.Background()
	admin := addUser(t, app.DB, "api-admin@test.example", users.RoleAdmin)
	issue := func(key string, in apitokens.IssueInput) {
		in.Name = key
		expires := app.Now().AddDate(0, 1, 0)
		in.ExpiresOn = &expires
		secret, _, err := app.apiTokens().Issue(ctx, actorFor(admin), in)
		if err != nil {
			t.Fatalf("issue %s: %v", key, err)
		}
		f.tokens[key] = secret
	}
	for _, role := range users.AllRoles {
		u := admin
		if role != users.RoleAdmin {
			u = addUser(t, app.DB, string(role)+"@test.example", role)
		}
		f.users[role] = u
		for _, scope := range []apitokens.Scope{apitokens.ScopeRead, apitokens.ScopeWrite} {
			issue(string(role)+"/"+string(scope), apitokens.IssueInput{UserID: &u.ID, Scope: scope})
		}
	}
	for _, role := range apitokens.SystemRoles {
		for _, scope := range []apitokens.Scope{apitokens.ScopeRead, apitokens.ScopeWrite} {
			issue("system-"+string(role)+"/"+string(scope), apitokens.IssueInput{SystemName: "Finance " + string(role), SystemRoles: []users.Role{role}, Scope: scope})
		}
	}

	f.developmentID = agDevelopment(t, app, "Canal Wharf", "North")
	agApplication(t, app, f.developmentID, "24/AP/0001")
	a := agRecord(t, app, agreements.AgreementInput{Reference: "24/S106/001", DevelopmentID: f.developmentID, Status: "live", DateSigned: agDate(2024, 3, 1)})
	f.agreementID = a.ID
	f.obligationID = agObligation(t, app, a.ID, "financial", "Sch 3 para 1", "Education contribution", fixture.Money("50000.00"))
	rec, err := app.Ledger.RecordReceipt(ctx, audit.Actor{Label: "test"}, ledger.ReceiptInput{ReceivedOn: agDate(2025, 1, 10), Payer: "Acme Homes Ltd",
		Total: ptr(decimal.RequireFromString("20000.00")), Shares: []ledger.ShareInput{{Row: 1, ObligationID: f.obligationID, Amount: ptr(decimal.RequireFromString("20000.00"))}}})
	if err != nil {
		t.Fatal(err)
	}
	f.receiptID = rec.ID
	l, err := app.Ledger.Ledger(ctx, f.obligationID)
	if err != nil || len(l.Lines) == 0 {
		t.Fatalf("ledger: %v %v", l, err)
	}
	f.entryID = l.Lines[0].ID
	p, err := app.Ledger.CreateProject(ctx, audit.Actor{Label: "test"}, ledger.ProjectInput{Name: "School extension", PurposeCode: "education", Status: "proposed"})
	if err != nil {
		t.Fatal(err)
	}
	f.projectID = p.ID
	aff := agObligation(t, app, a.ID, "affordable-housing", "Sch 2", "Affordable homes", fixture.Obligation{})
	f.homeID = appFixture(t, app).Home(f.developmentID, fixture.Home{ObligationID: aff, Plot: "12", Tenure: "social-rent", Bedrooms: 2, Address: "12 Canal Street"}).ID
	f.providerID = appFixture(t, app).Provider("Heartland Homes").ID

	// The contract, as served, routes each answer to its operation.
	res := f.ts.get(t, "/api/v1/openapi.json")
	if res.status != http.StatusOK {
		t.Fatalf("openapi.json: %d", res.status)
	}
	f.doc = loadOpenAPI(t, []byte(res.body))
	f.doc.Servers = openapi3.Servers{{URL: f.ts.URL}}
	if f.router, err = gorillamux.NewRouter(f.doc); err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// apiRes is an answer: status, headers, body, and the body parsed.
type apiRes struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// call sends a request with a bearer token (none when token is "") and
// validates the answer against the OpenAPI document: every answer the
// suite gets is checked, its status and its body.
func (f *apiFixture) call(t *testing.T, token, method, path, body string, header ...string) apiRes {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := f.ts.client
	if token != "" || len(header) > 0 {
		client = newClient()
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := apiRes{status: resp.StatusCode, header: resp.Header, body: string(b)}
	_ = json.Unmarshal(b, &out.json)
	f.validate(t, req, resp, b)
	return out
}

// validate checks one answer against the document with kin-openapi.
func (f *apiFixture) validate(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	route, params, err := f.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, excerpt(string(body)))
	}
	f.checked++
}

// concreteAPIPath fills an endpoint's path with the fixture's ids.
func (f *apiFixture) concreteAPIPath(pattern string) string {
	r := strings.NewReplacer("{entryID}", strconv.FormatInt(f.entryID, 10), "{year}", "2024")
	p := r.Replace(pattern)
	id := map[string]int64{"/api/v1/agreements/": f.agreementID, "/api/v1/obligations/": f.obligationID, "/api/v1/receipts/": f.receiptID,
		"/api/v1/projects/": f.projectID, "/api/v1/homes/": f.homeID, "/api/v1/public/developments/": f.developmentID}
	for prefix, v := range id {
		if strings.HasPrefix(p, prefix+"{id}") {
			return strings.Replace(p, "{id}", strconv.FormatInt(v, 10), 1)
		}
	}
	return p
}

func (r apiRes) fieldErrors() map[string]string {
	out := map[string]string{}
	errs, _ := r.json["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		out[fmt.Sprint(m["field"])] = fmt.Sprint(m["message"])
	}
	return out
}

// TestAPIRoutesMatchTheContract: routes.go mounts exactly the endpoints
// api_spec.go (and so the OpenAPI document) describes.
func TestAPIRoutesMatchTheContract(t *testing.T) {
	app := newTestApp(t)
	var mounted []string
	_ = chi.Walk(app.Routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(route, "/api/") {
			mounted = append(mounted, method+" "+route)
		}
		return nil
	})
	var described []string
	for _, rt := range apiRoutes {
		described = append(described, rt.method+" "+rt.path)
	}
	slices.Sort(mounted)
	slices.Sort(described)
	if !slices.Equal(mounted, described) {
		t.Fatalf("routes.go mounts:\n%s\nthe contract describes:\n%s", strings.Join(mounted, "\n"), strings.Join(described, "\n"))
	}
}

// apiExpected is who may call each endpoint, written out by hand (not
// read from apiRoutes) so that a change to either shows here.
var apiExpected = map[string][]users.Role{
	"POST /api/v1/agreements":                                 {users.RoleOfficer},
	"PUT /api/v1/agreements/{id}":                             {users.RoleOfficer},
	"POST /api/v1/agreements/{id}/obligations":                {users.RoleOfficer},
	"PUT /api/v1/obligations/{id}":                            {users.RoleOfficer},
	"POST /api/v1/obligations/{id}/ledger/{entryID}/reversal": {users.RoleOfficer},
	"POST /api/v1/receipts":                                   {users.RoleOfficer},
	"POST /api/v1/homes/{id}/events":                          {users.RoleHousing, users.RoleOfficer},
}

// TestAPIEveryEndpointChecksTokenScopeAndRoles is the route table test for
// the API: every endpoint, without a token, with only a session cookie,
// and with a token of each scope for each role and for systems.
func TestAPIEveryEndpointChecksTokenScopeAndRoles(t *testing.T) {
	f := newAPIFixture(t)
	// A signed-in officer's browser: its session cookie is no credential.
	browser := &testServer{Server: f.ts.Server, app: f.app, client: newClient()}
	browser.login(t, "officer@test.example", testPassword)
	csrf := browser.csrf(t, "/")

	for _, rt := range apiRoutes {
		key := rt.method + " " + rt.path
		path := f.concreteAPIPath(rt.path)
		body := ""
		if rt.method != http.MethodGet {
			body = "{}"
		}
		if rt.public {
			res := f.call(t, "", rt.method, path, body)
			if res.status != http.StatusOK {
				t.Errorf("%s without a token: %d, want 200", key, res.status)
			}
			if etag := res.header.Get("ETag"); etag != "" {
				if again := f.call(t, "", rt.method, path, body, "If-None-Match", etag); again.status != http.StatusNotModified {
					t.Errorf("%s asked again with its ETag: %d, want 304", key, again.status)
				}
			} else if strings.Contains(key, "/public/") {
				t.Errorf("%s has no ETag", key)
			}
			continue
		}
		if res := f.call(t, "", rt.method, path, body); res.status != http.StatusUnauthorized || res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a token: %d, want 401 with WWW-Authenticate", key, res.status)
		}
		// The officer's session cookie (and a valid CSRF token) is refused.
		req, _ := http.NewRequest(rt.method, f.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err := browser.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f.validate(t, req, resp, b)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a signed-in session cookie: %d, want 401", key, resp.StatusCode)
		}
		if res := f.call(t, "s106_"+strings.Repeat("A", 43), rt.method, path, body); res.status != http.StatusUnauthorized {
			t.Errorf("%s with an unknown token: %d, want 401", key, res.status)
		}

		allowed, isWrite := apiExpected[key]
		if isWrite != rt.write {
			t.Errorf("%s: the contract says write=%v; apiExpected disagrees", key, rt.write)
		}
		for tokenKey, secret := range f.tokens {
			role := users.Role(strings.TrimPrefix(strings.Split(tokenKey, "/")[0], "system-"))
			scope := strings.Split(tokenKey, "/")[1]
			var want int
			switch {
			case !isWrite:
				want = http.StatusOK
			case scope == "read" || !slices.Contains(allowed, role):
				want = http.StatusForbidden
			default:
				want = http.StatusUnprocessableEntity // allowed; an empty body is refused field by field
			}
			res := f.call(t, secret, rt.method, path, body)
			if res.status != want {
				t.Errorf("%s with %s's token: %d, want %d\n%s", key, tokenKey, res.status, want, res.body)
			}
		}
	}
	if f.checked < (len(apiRoutes)-4)*(len(f.tokens)+3) {
		t.Errorf("only %d answers were validated against the document", f.checked)
	}
}

func (f *apiFixture) auditLabels(t *testing.T, entity string, id int64) []string {
	t.Helper()
	rows, err := f.app.DB.Pool.Query(context.Background(), `SELECT actor_label || ' ' || action FROM audit_events WHERE entity_type = $1 AND entity_id = $2 ORDER BY id`, entity, strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// TestAPIWritesCheckAndRecordLikeTheForms: each write goes through the
// forms' own checks and records, audited as the token's holder.
func TestAPIWritesCheckAndRecordLikeTheForms(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.tokens["officer/write"]

	// Add an agreement.
	body := fmt.Sprintf(`{"reference": "25/S106/042", "development": %d, "type": "section-106", "status": "live", "date_signed": "2025-04-01",
		"parties": [{"role": "developer", "name": "Acme Homes Ltd", "company": "01234567"}]}`, f.developmentID)
	res := f.call(t, tok, "POST", "/api/v1/agreements", body)
	if res.status != http.StatusCreated {
		t.Fatalf("add agreement: %d %s", res.status, res.body)
	}
	id := int64(res.json["id"].(float64))
	if res.header.Get("Location") != "/api/v1/agreements/"+strconv.FormatInt(id, 10) || res.json["date_signed"] != "2025-04-01" || res.json["version"].(float64) != 1 {
		t.Errorf("added agreement: %s (Location %q)", res.body, res.header.Get("Location"))
	}
	if labels := f.auditLabels(t, "agreement", id); len(labels) != 1 || !strings.Contains(labels[0], "(API token ") || !strings.Contains(labels[0], f.users[users.RoleOfficer].Name) {
		t.Errorf("audit trail of the API's agreement: %v", labels)
	}
	// A system's token records as the system, through its token.
	sys := f.call(t, f.tokens["system-officer/write"], "POST", "/api/v1/agreements", strings.Replace(body, "25/S106/042", "25/S106/099", 1))
	if sys.status != http.StatusCreated {
		t.Fatalf("a system adds an agreement: %d %s", sys.status, sys.body)
	}
	if labels := f.auditLabels(t, "agreement", int64(sys.json["id"].(float64))); len(labels) != 1 || !strings.HasPrefix(labels[0], "System: Finance officer (API token ") {
		t.Errorf("audit trail of the system's agreement: %v", labels)
	}
	// The same reference again: the form's own rule, naming the field.
	res = f.call(t, tok, "POST", "/api/v1/agreements", body)
	if res.status != http.StatusUnprocessableEntity || res.fieldErrors()["reference"] == "" {
		t.Errorf("duplicate reference: %d %s", res.status, res.body)
	}
	// A party's bad company number is named as the array member.
	bad := strings.Replace(strings.Replace(body, "01234567", "12", 1), "25/S106/042", "25/S106/043", 1)
	if res = f.call(t, tok, "POST", "/api/v1/agreements", bad); res.status != http.StatusUnprocessableEntity || res.fieldErrors()["parties[0].company"] == "" {
		t.Errorf("bad company number: %d %s", res.status, res.body)
	}

	// Change it, at the version read; the second saver gets 409.
	change := strings.Replace(body, `"status": "live"`, `"status": "discharged", "version": 1`, 1)
	path := "/api/v1/agreements/" + strconv.FormatInt(id, 10)
	if res = f.call(t, tok, "PUT", path, change); res.status != http.StatusOK || res.json["status"] != "discharged" || res.json["version"].(float64) != 2 {
		t.Fatalf("change agreement: %d %s", res.status, res.body)
	}
	if res = f.call(t, tok, "PUT", path, change); res.status != http.StatusConflict || res.json["current_version"].(float64) != 2 {
		t.Errorf("stale version: %d %s", res.status, res.body)
	}
	if res = f.call(t, tok, "PUT", path, body); res.status != http.StatusUnprocessableEntity || res.fieldErrors()["version"] == "" {
		t.Errorf("no version: %d %s", res.status, res.body)
	}

	// Add an obligation and change it.
	ob := `{"kind": "financial", "purpose": "education", "clause_ref": "Sch 4", "description": "Primary school places", "base_amount": "125000.00",
		"index": "none", "trigger_type": "commencement", "spend_by_months": 120, "return_unspent": true}`
	res = f.call(t, tok, "POST", fmt.Sprintf("/api/v1/agreements/%d/obligations", id), ob)
	if res.status != http.StatusCreated || res.json["base_amount"] != "125000" && res.json["base_amount"] != "125000.00" {
		t.Fatalf("add obligation: %d %s", res.status, res.body)
	}
	obID := int64(res.json["id"].(float64))
	res = f.call(t, tok, "PUT", fmt.Sprintf("/api/v1/obligations/%d", obID), strings.Replace(ob, `"spend_by_months": 120`, `"spend_by_months": 9999, "version": 1`, 1))
	if res.status != http.StatusUnprocessableEntity || res.fieldErrors()["spend_by_months"] == "" {
		t.Errorf("spend-by out of range: %d %s", res.status, res.body)
	}
	res = f.call(t, tok, "PUT", fmt.Sprintf("/api/v1/obligations/%d", obID), strings.Replace(ob, `"clause_ref": "Sch 4"`, `"clause_ref": "Sch 4A", "version": 1`, 1))
	if res.status != http.StatusOK || res.json["clause_ref"] != "Sch 4A" {
		t.Errorf("change obligation: %d %s", res.status, res.body)
	}

	// Record a payment, then reverse it.
	pay := fmt.Sprintf(`{"received_on": "2025-06-01", "payer": "Acme Homes Ltd", "finance_ref": "AR-1", "total": "1000.00", "shares": [{"obligation": %d, "amount": "1000.00"}]}`, obID)
	res = f.call(t, tok, "POST", "/api/v1/receipts", pay)
	if res.status != http.StatusCreated || res.json["total"] != "1000" {
		t.Fatalf("record payment: %d %s", res.status, res.body)
	}
	res = f.call(t, tok, "POST", "/api/v1/receipts", strings.Replace(pay, `"total": "1000.00"`, `"total": "999.00"`, 1))
	if res.status != http.StatusUnprocessableEntity || len(res.fieldErrors()) == 0 {
		t.Errorf("shares not adding up to the total: %d %s", res.status, res.body)
	}
	led := f.call(t, f.tokens["viewer/read"], "GET", fmt.Sprintf("/api/v1/obligations/%d/ledger", obID), "")
	lines, _ := led.json["items"].([]any)
	if led.status != http.StatusOK || len(lines) != 1 {
		t.Fatalf("ledger: %d %s", led.status, led.body)
	}
	entry := int64(lines[0].(map[string]any)["id"].(float64))
	rev := fmt.Sprintf("/api/v1/obligations/%d/ledger/%d/reversal", obID, entry)
	if res = f.call(t, tok, "POST", rev, `{"reason": ""}`); res.status != http.StatusUnprocessableEntity || res.fieldErrors()["reason"] == "" {
		t.Errorf("reversal without a reason: %d %s", res.status, res.body)
	}
	if res = f.call(t, tok, "POST", rev, `{"reason": "Keyed against the wrong obligation"}`); res.status != http.StatusCreated {
		t.Fatalf("reverse: %d %s", res.status, res.body)
	}
	if res = f.call(t, tok, "POST", rev, `{"reason": "Again"}`); res.status != http.StatusUnprocessableEntity {
		t.Errorf("reversing twice: %d %s", res.status, res.body)
	}
	led = f.call(t, tok, "GET", fmt.Sprintf("/api/v1/obligations/%d/ledger", obID), "")
	if bal := led.json["balances"].(map[string]any); bal["received"] != "0" {
		t.Errorf("after the reversal the obligation holds %v", bal)
	}

	// A housing officer records a home's completion; the form's rule (a
	// completed home needs its UPRN) is named.
	htok := f.tokens["housing/write"]
	ev := fmt.Sprintf("/api/v1/homes/%d/events", f.homeID)
	if res = f.call(t, htok, "POST", ev, `{"kind": "completed", "date": "2025-05-01", "evidence": "Completion certificate"}`); res.status != http.StatusUnprocessableEntity || res.fieldErrors()["uprn"] == "" {
		t.Errorf("completion without a UPRN: %d %s", res.status, res.body)
	}
	if res = f.call(t, htok, "POST", ev, `{"kind": "started", "date": "2025-05-01", "evidence": "Site visit"}`); res.status != http.StatusCreated || res.json["kind"] != "started" {
		t.Fatalf("record start: %d %s", res.status, res.body)
	}
	events := f.call(t, htok, "GET", ev, "")
	if items, _ := events.json["items"].([]any); len(items) != 1 {
		t.Errorf("home events: %s", events.body)
	}
	if labels := f.auditLabels(t, "home", f.homeID); len(labels) == 0 || !strings.Contains(labels[len(labels)-1], "(API token ") {
		t.Errorf("home audit trail: %v", labels)
	}
}

// TestAPIRefusesBadBodiesNamingTheField: bad JSON, unknown fields, wrong
// types, oversize and wrongly typed bodies get clear 400/413/415/422s.
func TestAPIRefusesBadBodiesNamingTheField(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.tokens["officer/write"]
	for _, c := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"not JSON", `{"reference": `, http.StatusBadRequest, ""},
		{"broken JSON", `{"reference" "x"}`, http.StatusBadRequest, ""},
		{"an array", `[]`, http.StatusBadRequest, ""},
		{"two objects", `{} {}`, http.StatusBadRequest, ""},
		{"unknown field", `{"referense": "x"}`, http.StatusUnprocessableEntity, "referense"},
		{"wrong type", `{"reference": 12}`, http.StatusUnprocessableEntity, "reference"},
		{"wrong type of id", `{"development": "one"}`, http.StatusUnprocessableEntity, "development"},
		{"wrong type in a row", `{"parties": [{"name": false}]}`, http.StatusUnprocessableEntity, "parties.name"},
		{"bad date", `{"date_signed": "01/04/2025"}`, http.StatusUnprocessableEntity, "date_signed"},
		{"missing fields", `{}`, http.StatusUnprocessableEntity, "reference"},
		{"oversize", `{"notes": "` + strings.Repeat("x", maxAPIBody) + `"}`, http.StatusRequestEntityTooLarge, ""},
	} {
		res := f.call(t, tok, "POST", "/api/v1/agreements", c.body)
		if res.status != c.status {
			t.Errorf("%s: %d, want %d\n%s", c.name, res.status, c.status, res.body)
			continue
		}
		if res.json["detail"] == "" || res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: no problem document: %q %s", c.name, res.header.Get("Content-Type"), res.body)
		}
		if c.field != "" && res.fieldErrors()[c.field] == "" {
			t.Errorf("%s: the field %s is not named: %s", c.name, c.field, res.body)
		}
	}
	if res := f.call(t, tok, "POST", "/api/v1/agreements", `{}`, "Content-Type", "application/x-www-form-urlencoded"); res.status != http.StatusUnsupportedMediaType {
		t.Errorf("a form body: %d", res.status)
	}
	if res := f.call(t, tok, "PUT", "/api/v1/agreements/999999", `{}`); res.status != http.StatusNotFound {
		t.Errorf("a missing agreement: %d", res.status)
	}
	if res := f.call(t, tok, "GET", "/api/v1/agreements/x", ""); res.status != http.StatusNotFound {
		t.Errorf("a bad id: %d", res.status)
	}
	if res := f.call(t, tok, "GET", "/api/v1/statements/1800", ""); res.status != http.StatusNotFound {
		t.Errorf("a year with no statement: %d", res.status)
	}
	if res := f.call(t, tok, "GET", "/api/v1/deadlines?rag=purple", ""); res.status != http.StatusUnprocessableEntity || res.fieldErrors()["rag"] == "" {
		t.Errorf("a bad filter: %d %s", res.status, res.body)
	}
}

// TestAPITokensStopWhenExpiredOrRevoked.
func TestAPITokensStopWhenExpiredOrRevoked(t *testing.T) {
	f := newAPIFixture(t)
	ctx := context.Background()
	admin := f.users[users.RoleAdmin]
	expires := f.app.Now().Add(48 * time.Hour)
	secret, tok, err := f.app.apiTokens().Issue(ctx, actorFor(admin), apitokens.IssueInput{Name: "GIS", SystemName: "GIS", SystemRoles: []users.Role{users.RoleViewer}, Scope: apitokens.ScopeRead, ExpiresOn: &expires})
	if err != nil {
		t.Fatal(err)
	}
	if res := f.call(t, secret, "GET", "/api/v1/agreements", ""); res.status != http.StatusOK {
		t.Fatalf("a new token: %d", res.status)
	}
	now := f.app.Now
	f.app.Now = func() time.Time { return expires }
	if res := f.call(t, secret, "GET", "/api/v1/agreements", ""); res.status != http.StatusUnauthorized {
		t.Errorf("an expired token: %d", res.status)
	}
	f.app.Now = now
	if _, err := f.app.apiTokens().Revoke(ctx, actorFor(admin), tok.ID); err != nil {
		t.Fatal(err)
	}
	if res := f.call(t, secret, "GET", "/api/v1/agreements", ""); res.status != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", res.status)
	}
	// A disabled user's token stops with the user.
	viewer := f.users[users.RoleViewer]
	if _, err := f.app.DB.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, viewer.ID); err != nil {
		t.Fatal(err)
	}
	if res := f.call(t, f.tokens["viewer/read"], "GET", "/api/v1/agreements", ""); res.status != http.StatusUnauthorized {
		t.Errorf("a disabled user's token: %d", res.status)
	}
}

// TestAPIRateLimitsEachToken: past its rate a token gets 429 with
// Retry-After; another token is not slowed.
func TestAPIRateLimitsEachToken(t *testing.T) {
	f := newAPIFixture(t)
	f.app.apiLimits = newLoginLimits(3, math.MaxInt32)
	for i := range 3 {
		if res := f.call(t, f.tokens["viewer/read"], "GET", "/api/v1/projects", ""); res.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, res.status)
		}
	}
	res := f.call(t, f.tokens["viewer/read"], "GET", "/api/v1/projects", "")
	if secs, err := strconv.Atoi(res.header.Get("Retry-After")); res.status != http.StatusTooManyRequests || err != nil || secs < 1 {
		t.Errorf("past the rate: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	if res := f.call(t, f.tokens["manager/read"], "GET", "/api/v1/projects", ""); res.status != http.StatusOK {
		t.Errorf("another token: %d", res.status)
	}
}

// TestAPIListsPageWithCursors: walking next_cursor reads every item once,
// with the filters and sort of the first page; a bad cursor or limit is a 400.
func TestAPIListsPageWithCursors(t *testing.T) {
	f := newAPIFixture(t)
	b := appFixture(t, f.app)
	for i := range 7 {
		agObligation(t, f.app, f.agreementID, "financial", fmt.Sprintf("Sch 9 para %d", i), fmt.Sprintf("Paged %d", i), fixture.Obligation{})
	}
	b.Home(f.developmentID, fixture.Home{Plot: "13", Tenure: "market", Bedrooms: 3})
	for i := range 4 {
		b.Agreement(fixture.Agreement{Reference: fmt.Sprintf("30/S106/%03d", i), DevelopmentID: f.developmentID})
		b.Project(fixture.Project{Name: fmt.Sprintf("Paged project %d", i)})
		b.Receive(fmt.Sprintf("2025-0%d-01", i+2), fixture.Share{ObligationID: f.obligationID, Amount: "1000.00"})
	}
	built := b.Home(f.developmentID, fixture.Home{Plot: "14", UPRN: "100071234567"}).ID
	b.HomeEvent(built, homes.EventStarted, "2024-01-10")
	b.HomeEvent(built, homes.EventCompleted, "2024-06-01")
	b.HomeEvent(built, homes.EventOccupied, "2024-07-01")
	tok := f.tokens["viewer/read"]

	// Each list, and a row that sorts before the end of its first page,
	// added once that page is read: a page number would then show the
	// first page's last row again (every later row moves down one); a
	// cursor continues after that row.
	receipt := func() { b.Receive("2024-04-01", fixture.Share{ObligationID: f.obligationID, Amount: "10.00"}) }
	lists := []struct {
		path   string
		insert func()
	}{
		{"/api/v1/obligations?kind=financial&sort=updated&dir=desc", func() {
			agObligation(t, f.app, f.agreementID, "financial", "Sch 9 para 99", "Added while paging", fixture.Obligation{})
		}},
		{"/api/v1/homes", func() {
			b.Home(agDevelopment(t, f.app, "Aardvark Yard", "North"), fixture.Home{Plot: "1"})
		}},
		{"/api/v1/agreements", func() { b.Agreement(fixture.Agreement{Reference: "00/S106/000", DevelopmentID: f.developmentID}) }},
		{"/api/v1/agreements?sort=signed&dir=desc", func() {
			b.Agreement(fixture.Agreement{Reference: "31/S106/001", Signed: "2025-06-01", DevelopmentID: f.developmentID})
		}},
		{"/api/v1/projects", func() { b.Project(fixture.Project{Name: "Aardvark play area"}) }},
		{"/api/v1/projects?sort=updated&dir=desc", func() { b.Project(fixture.Project{Name: "Newest project"}) }},
		{"/api/v1/deadlines?sort=received", receipt},
		{"/api/v1/deadlines", nil},
		{fmt.Sprintf("/api/v1/obligations/%d/ledger", f.obligationID), receipt},
		{fmt.Sprintf("/api/v1/homes/%d/events", built), nil},
	}
	itemID := func(it any) float64 {
		m := it.(map[string]any)
		if id, ok := m["entry_id"].(float64); ok {
			return id
		}
		return m["id"].(float64)
	}
	// Readers take turns, each token under its rate limit.
	readers := []string{"viewer/read", "viewer/write", "officer/read", "officer/write", "housing/read", "housing/write", "manager/read", "manager/write", "admin/read", "admin/write"}
	for i, list := range lists {
		tok := f.tokens[readers[i%len(readers)]]
		// What the list holds before paging starts: each must be read
		// exactly once.
		all := f.call(t, tok, "GET", list.path+sep(list.path)+"limit=200", "")
		if all.status != http.StatusOK || all.json["next_cursor"] != nil {
			t.Fatalf("%s: %d %s", list.path, all.status, all.body)
		}
		before := map[float64]bool{}
		for _, it := range all.json["items"].([]any) {
			before[itemID(it)] = true
		}
		if len(before) < 3 {
			t.Fatalf("%s: %d items, too few to page", list.path, len(before))
		}
		seen := map[float64]bool{}
		next := list.path + sep(list.path) + "limit=2"
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatalf("%s: more pages than items", list.path)
			}
			res := f.call(t, tok, "GET", next, "")
			if res.status != http.StatusOK {
				t.Fatalf("%s: %d %s", next, res.status, res.body)
			}
			items := res.json["items"].([]any)
			if len(items) == 0 || len(items) > 2 {
				t.Errorf("%s: a page of %d items", list.path, len(items))
			}
			for _, it := range items {
				id := itemID(it)
				if seen[id] {
					t.Errorf("%s: %v twice", list.path, id)
				}
				seen[id] = true
			}
			next = ""
			if c, ok := res.json["next_cursor"].(string); ok {
				next = strings.Split(list.path, "?")[0] + "?cursor=" + url.QueryEscape(c)
			}
			if pages == 0 && list.insert != nil {
				list.insert()
			}
		}
		for id := range before {
			if !seen[id] {
				t.Errorf("%s: %v skipped", list.path, id)
			}
		}
		if strings.Contains(list.path, "kind=financial") && len(before) != 8 {
			t.Errorf("the filter was lost: %d financial obligations", len(before))
		}
	}
	tok = f.tokens["system-viewer/read"]
	for _, bad := range []string{"/api/v1/obligations?cursor=not-a-cursor", "/api/v1/obligations?limit=0", "/api/v1/obligations?limit=201", "/api/v1/homes?after=bad",
		"/api/v1/agreements?after=bad", "/api/v1/projects?after=WyJ4Il0", "/api/v1/deadlines?after=bad",
		fmt.Sprintf("/api/v1/obligations/%d/ledger?after=bad", f.obligationID), fmt.Sprintf("/api/v1/homes/%d/events?limit=0", f.homeID)} {
		if res := f.call(t, tok, "GET", bad, ""); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, res.status)
		}
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestAPIReadsEveryResource reads each resource as a viewer and checks a
// figure of each against the register.
func TestAPIReadsEveryResource(t *testing.T) {
	f := newAPIFixture(t)
	tok := f.tokens["viewer/read"]
	a := f.call(t, tok, "GET", fmt.Sprintf("/api/v1/agreements/%d", f.agreementID), "")
	if a.json["reference"] != "24/S106/001" || a.json["date_signed"] != "2024-03-01" {
		t.Errorf("agreement: %s", a.body)
	}
	o := f.call(t, tok, "GET", fmt.Sprintf("/api/v1/obligations/%d", f.obligationID), "")
	if o.json["base_amount"] != "50000" {
		t.Errorf("obligation: %s", o.body)
	}
	rc := f.call(t, tok, "GET", fmt.Sprintf("/api/v1/receipts/%d", f.receiptID), "")
	if rc.json["total"] != "20000" || rc.json["received_on"] != "2025-01-10" {
		t.Errorf("receipt: %s", rc.body)
	}
	st := f.call(t, tok, "GET", "/api/v1/statements/2024", "")
	rows, _ := st.json["rows"].([]any)
	found := false
	for _, r := range rows {
		m := r.(map[string]any)
		found = found || m["amount"] == "20000.00"
	}
	if st.status != http.StatusOK || st.json["label"] != "2024 to 2025" || !found {
		t.Errorf("statement 2024 to 2025 has no 20000.00 received: %s", excerpt(st.body))
	}
	dl := f.call(t, tok, "GET", "/api/v1/deadlines", "")
	if dl.json["total"].(float64) != 1 {
		t.Errorf("deadlines: %s", dl.body)
	}
	// An address the API does not have: a JSON 404, not the HTML page.
	resp, err := http.Get(f.ts.URL + "/api/v1/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !bytes.Contains(b, []byte(`"detail"`)) {
		t.Errorf("unknown address: %d %s", resp.StatusCode, b)
	}
}
