package web

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	publicdata "github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/users"
)

// The API's contract: every endpoint with who may call it, what it takes
// and what it answers. The OpenAPI 3.1 document (web/openapi.json, served
// at /api/v1/openapi.json) is made from this table and from the Go types
// the handlers send (api_json.go); TestAPIRoutesMatchTheContract checks
// that routes.go mounts exactly these endpoints.

// apiRoute is one endpoint.
type apiRoute struct {
	method, path string
	summary, tag string
	public       bool         // no token (the public pages' data)
	write        bool         // needs a token with the write scope
	roles        []users.Role // nil: every role
	body         any          // the request body's type (a zero value), or nil
	resp         any          // the answer's type (a zero value); a list's item type
	list         bool         // a paged list of resp
	paged        bool         // resp is a page of a record's history itself: limit and cursor only
	status       int          // the success status
	filters      []string     // a list's filters, as the list page has them
	sorts        []string
}

// apiPageParams are a paged answer's query parameters.
func apiPageParams() []any {
	return []any{
		map[string]any{"name": "limit", "in": "query", "description": "Items a page (default 50)",
			"schema": map[string]any{"type": "integer", "minimum": 1, "maximum": maxAPILimit}},
		map[string]any{"name": "cursor", "in": "query", "description": "The next_cursor of the previous page; it carries that page's query and the position of its last item",
			"schema": map[string]any{"type": "string"}},
	}
}

var (
	apiOfficer = []users.Role{users.RoleOfficer}
	apiHomes   = []users.Role{users.RoleHousing, users.RoleOfficer}
)

var apiRoutes = []apiRoute{
	{method: "GET", path: "/api/v1/agreements", tag: "Agreements", summary: "List agreements", resp: agreements.AgreementRow{}, list: true,
		filters: []string{"status", "type", "ward", "officer", "archived"}, sorts: agreements.AgreementSorts},
	{method: "POST", path: "/api/v1/agreements", tag: "Agreements", summary: "Add an agreement", write: true, roles: apiOfficer,
		body: apiAgreementBody{}, resp: agreements.Agreement{}, status: http.StatusCreated},
	{method: "GET", path: "/api/v1/agreements/{id}", tag: "Agreements", summary: "Read an agreement", resp: agreements.Agreement{}},
	{method: "PUT", path: "/api/v1/agreements/{id}", tag: "Agreements", summary: "Change an agreement (send every field, and the version you read)",
		write: true, roles: apiOfficer, body: apiAgreementChange{}, resp: agreements.Agreement{}},
	{method: "POST", path: "/api/v1/agreements/{id}/obligations", tag: "Obligations", summary: "Add an obligation to an agreement",
		write: true, roles: apiOfficer, body: apiObligationBody{}, resp: agreements.Obligation{}, status: http.StatusCreated},
	{method: "GET", path: "/api/v1/obligations", tag: "Obligations", summary: "List obligations", resp: agreements.Obligation{}, list: true,
		filters: []string{"status", "kind", "purpose", "ward", "officer", "agreement", "trigger", "archived"}, sorts: agreements.ObligationSorts},
	{method: "GET", path: "/api/v1/obligations/{id}", tag: "Obligations", summary: "Read an obligation", resp: agreements.Obligation{}},
	{method: "PUT", path: "/api/v1/obligations/{id}", tag: "Obligations", summary: "Change an obligation (send every field, and the version you read)",
		write: true, roles: apiOfficer, body: apiObligationChange{}, resp: agreements.Obligation{}},
	{method: "GET", path: "/api/v1/obligations/{id}/ledger", tag: "Ledger", summary: "An obligation's ledger entries, balances and shares of payments",
		resp: apiLedgerPage{}, paged: true},
	{method: "POST", path: "/api/v1/obligations/{id}/ledger/{entryID}/reversal", tag: "Ledger",
		summary: "Reverse a mistaken ledger entry (the ledger is append-only: a reversing entry names what it reverses)",
		write:   true, roles: apiOfficer, body: apiReversalBody{}, resp: apiReversal{}, status: http.StatusCreated},
	{method: "POST", path: "/api/v1/receipts", tag: "Ledger", summary: "Record a payment received, split across obligations",
		write: true, roles: apiOfficer, body: apiReceiptBody{}, resp: ledger.Receipt{}, status: http.StatusCreated},
	{method: "GET", path: "/api/v1/receipts/{id}", tag: "Ledger", summary: "Read a payment received", resp: ledger.Receipt{}},
	{method: "GET", path: "/api/v1/projects", tag: "Projects", summary: "List projects", resp: ledger.Project{}, list: true,
		filters: []string{"status", "purpose", "service_area", "archived"}, sorts: ledger.ProjectSorts},
	{method: "GET", path: "/api/v1/projects/{id}", tag: "Projects", summary: "Read a project", resp: ledger.Project{}},
	{method: "GET", path: "/api/v1/homes", tag: "Homes", summary: "List homes", resp: homes.Home{}, list: true,
		filters: []string{"development", "provider", "tenure", "state", "archived"}, sorts: homes.HomeSorts},
	{method: "GET", path: "/api/v1/homes/{id}", tag: "Homes", summary: "Read a home", resp: homes.Home{}},
	{method: "GET", path: "/api/v1/homes/{id}/events", tag: "Homes", summary: "A home's history of events", resp: apiEventsPage{}, paged: true},
	{method: "POST", path: "/api/v1/homes/{id}/events", tag: "Homes", summary: "Record something that happened to a home",
		write: true, roles: apiHomes, body: apiHomeEventBody{}, resp: homes.Event{}, status: http.StatusCreated},
	{method: "GET", path: "/api/v1/deadlines", tag: "Deadlines", summary: "Spend-by deadlines of money received, soonest first",
		resp: ledger.DeadlineRow{}, list: true, filters: []string{"rag", "purpose", "service-area", "officer"}, sorts: ledger.DeadlineSorts},
	{method: "GET", path: "/api/v1/statements/{year}", tag: "Statement",
		summary: "The Infrastructure Funding Statement for the financial year starting in {year}, every line with its stable key", resp: apiStatementView{}},
	{method: "GET", path: "/api/v1/openapi.json", tag: "Contract", summary: "This document", public: true},
	{method: "GET", path: "/api/v1/public/overview", tag: "Public", summary: "Borough-wide homes and money, as the public overview page shows them",
		public: true, resp: publicdata.Overview{}},
	{method: "GET", path: "/api/v1/public/developments", tag: "Public", summary: "Developments with a published agreement, as the public pages list them",
		public: true, resp: publicdata.DevelopmentRow{}, list: true, filters: []string{"ward", "status"}, sorts: publicdata.DevelopmentSorts},
	{method: "GET", path: "/api/v1/public/developments/{id}", tag: "Public", summary: "A development, as its public page shows it",
		public: true, resp: publicdata.Development{}},
}

//go:embed openapi.json
var openAPIDocument []byte

func (app *Application) apiOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}

func problemResponse(desc string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{
		"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
}

// problemSchema is apiProblem's schema (RFC 9457, with the fields named).
var problemSchema = map[string]any{
	"type": "object", "additionalProperties": false,
	"required": []any{"type", "title", "status", "detail"},
	"properties": map[string]any{
		"type":   map[string]any{"type": "string"},
		"title":  map[string]any{"type": "string"},
		"status": map[string]any{"type": "integer"},
		"detail": map[string]any{"type": "string", "description": "What went wrong, in words for a person"},
		"errors": map[string]any{"type": "array", "description": "Each field with a problem: its name in the request body (rows as parties[0].name) and the message",
			"items": map[string]any{"type": "object", "additionalProperties": false, "required": []any{"field", "message"},
				"properties": map[string]any{"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}},
		"current_version": map[string]any{"type": "integer", "description": "On a 409 conflict, the record's current version"},
	},
}

// openAPI builds the document from apiRoutes and the Go types.
func openAPI() map[string]any {
	schemas := newAPISchemas()
	paths := map[string]any{}
	for _, rt := range apiRoutes {
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.summary,
			"tags":        []any{rt.tag},
		}
		responses := map[string]any{"500": problemResponse("A problem on the server; the detail carries a reference")}
		if rt.public {
			op["security"] = []any{}
			if rt.resp != nil {
				// As the public pages: ETag and Last-Modified from the data version.
				responses["304"] = map[string]any{"description": "Not modified since the ETag or date sent"}
			}
		} else {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			scope := "read"
			if rt.write {
				scope = "write"
			}
			roles := []any{}
			for _, r := range rt.roles {
				roles = append(roles, string(r))
			}
			op["x-scope"], op["x-roles"] = scope, roles
			responses["401"] = problemResponse("No token, or one that is unknown, expired or revoked")
			responses["403"] = problemResponse("The token's scope or its holder's roles do not allow this")
			responses["429"] = map[string]any{"description": "Too many requests from this token; wait the Retry-After seconds",
				"headers": map[string]any{"Retry-After": map[string]any{"schema": map[string]any{"type": "integer"}}},
				"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
		}
		var params []any
		for _, seg := range strings.Split(rt.path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				params = append(params, map[string]any{"name": name, "in": "path", "required": true,
					"schema": map[string]any{"type": "string", "pattern": "^[0-9]+$"}})
				responses["404"] = problemResponse("There is no such record")
			}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		var schema map[string]any
		switch {
		case rt.resp == nil:
			schema = map[string]any{"type": "object", "description": "An OpenAPI 3.1 document"}
		case rt.list:
			schema = map[string]any{
				"type": "object", "additionalProperties": false, "required": []any{"items", "next_cursor", "total"},
				"properties": map[string]any{
					"items":       map[string]any{"type": "array", "items": schemas.ref(reflect.TypeOf(rt.resp))},
					"next_cursor": map[string]any{"type": []any{"string", "null"}, "description": "Pass as cursor for the next page; null on the last page"},
					"total":       map[string]any{"type": "integer", "description": "How many items the whole list holds"},
				}}
			params = append(params, apiPageParams()...)
			params = append(params,
				map[string]any{"name": "q", "in": "query", "description": "Search, as the list page's search box", "schema": map[string]any{"type": "string"}},
				map[string]any{"name": "sort", "in": "query", "schema": map[string]any{"type": "string", "enum": anySlice(rt.sorts)}},
				map[string]any{"name": "dir", "in": "query", "schema": map[string]any{"type": "string", "enum": []any{"asc", "desc"}}})
			for _, f := range rt.filters {
				params = append(params, map[string]any{"name": f, "in": "query", "description": "A filter, as the list page's", "schema": map[string]any{"type": "string"}})
			}
			responses["400"] = problemResponse("A limit, cursor or filter that cannot be read")
			responses["422"] = problemResponse("A filter with a value that is not allowed")
		default:
			schema = schemas.ref(reflect.TypeOf(rt.resp))
			if rt.paged {
				params = append(params, apiPageParams()...)
				responses["400"] = problemResponse("A limit or cursor that cannot be read")
			}
		}
		responses[itoa(status)] = map[string]any{"description": "Success", "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
		if rt.body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemas.body(reflect.TypeOf(rt.body))}}}
			responses["400"] = problemResponse("The body is not JSON, or not one object")
			responses["413"] = problemResponse("The body is larger than " + maxAPIBodyLabel)
			responses["415"] = problemResponse("The body is not sent as application/json")
			responses["422"] = problemResponse("Fields with errors: an unknown field, a value of the wrong type, or one the rules refuse; each is named")
			if slices.Contains([]string{"PUT"}, rt.method) {
				responses["409"] = problemResponse("Someone changed the record since the version sent; current_version says which it is now")
			}
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		op["responses"] = responses
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	schemas.m["Problem"] = problemSchema
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "S106 Monitor API",
			"version": "1.0.0",
			"description": "Read and record planning obligations: agreements, obligations, the money ledger, projects, affordable homes, deadlines and the Infrastructure Funding Statement. " +
				"Send an API token issued by an administrator (at /admin/api-tokens) as Authorization: Bearer <token>; a read token may only GET. " +
				"Writes check and record exactly as the product's forms do. Lists page with next_cursor. The /api/v1/public endpoints need no token and carry only what the public pages show. " +
				"Money is a decimal string in pounds; dates are YYYY-MM-DD; timestamps RFC 3339.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An API token, s106_…"}},
			"schemas":         schemas.m,
		},
	}
}

// openAPIJSON is the document as committed: indented, keys sorted.
func openAPIJSON() []byte {
	b, err := json.MarshalIndent(openAPI(), "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

func operationID(rt apiRoute) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.NewReplacer(".", "", "-", "").Replace(seg)
		if seg != "" {
			b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
		}
	}
	return b.String()
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
