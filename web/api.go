package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/apitokens"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// The JSON API (issue 23, item 3): /api/v1, for the council's other
// systems. One domain call, two front ends: each write decodes its JSON
// body into the same form values the page's form posts, reads them with
// the same functions and calls the same internal/* service methods, so the
// validation, invariants and audit trail are the forms' own. Field errors
// come back as JSON naming the field (422); optimistic-lock conflicts 409.
//
// Callers present an API token (internal/apitokens) as a bearer token.
// The API never reads the session cookie, so it needs no CSRF token: a
// browser cannot be tricked into sending a bearer token. Each token is
// rate-limited. The contract is the OpenAPI 3.1 document at
// /api/v1/openapi.json (api_spec.go, api_openapi.go).

// apiCallerKey holds the token's caller in the request context.
const apiCallerKey contextKey = 100

// maxAPIBody is the largest JSON body the API reads.
const maxAPIBody = 64 << 10

// maxAPIBodyLabel says maxAPIBody as people read it.
const maxAPIBodyLabel = "64 KB"

// apiFieldError is one field's problem.
type apiFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiProblem is every error the API answers, as an RFC 9457 problem
// document.
type apiProblem struct {
	Type   string          `json:"type"`
	Title  string          `json:"title"`
	Status int             `json:"status"`
	Detail string          `json:"detail"`
	Errors []apiFieldError `json:"errors,omitempty"`
	// Version is the record's current version, on a 409 conflict.
	Version *int `json:"current_version,omitempty"`
}

// apiWriteJSON writes v as the answer.
func apiWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"The answer could not be written."}`)
		w.Header().Set("Content-Type", "application/problem+json")
	} else if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// apiFail answers an error with a problem document.
func apiFail(w http.ResponseWriter, status int, detail string, fields ...apiFieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	apiWriteJSON(w, status, apiProblem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields})
}

// apiServerError logs err and answers 500 with the request id.
func (app *Application) apiServerError(w http.ResponseWriter, r *http.Request, err error) {
	app.log(r).Error("server error", "err", err, "method", r.Method, "path", r.URL.Path)
	apiFail(w, http.StatusInternalServerError, "Sorry, there is a problem with the service. Reference: "+requestID(r))
}

func apiNotFound(w http.ResponseWriter, _ *http.Request) {
	apiFail(w, http.StatusNotFound, "There is nothing at this address.")
}

func apiMethodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	apiFail(w, http.StatusMethodNotAllowed, "This address does not accept that method.")
}

// apiHeaders marks every API answer uncacheable: it is one caller's data.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// apiCaller is the token's caller, nil on public routes.
func apiCaller(r *http.Request) *apitokens.Caller {
	c, _ := r.Context().Value(apiCallerKey).(*apitokens.Caller)
	return c
}

// apiActor names the caller in the audit trail: the token's user (or
// system) and the token.
func (app *Application) apiActor(r *http.Request) audit.Actor {
	a := app.actor(r)
	if c := apiCaller(r); c != nil {
		a.UserID, a.Label = c.User.ID, c.Label()
	}
	return a
}

func (app *Application) apiTokens() *apitokens.Service {
	return &apitokens.Service{DB: app.DB, Now: app.Now}
}

// apiAuthenticate accepts only an API token in the Authorization header.
// A session cookie is never read here: it does not sign anyone in.
func (app *Application) apiAuthenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			apiFail(w, http.StatusUnauthorized, "Send an API token in the Authorization header: Authorization: Bearer <token>. An administrator issues tokens at /admin/api-tokens.")
			return
		}
		c, err := app.apiTokens().Lookup(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, apitokens.ErrInvalid) {
			app.securityEvent(r, audit.SecForbidden, "Refused an API token: unknown, expired or revoked")
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			apiFail(w, http.StatusUnauthorized, "This API token is not valid: it is unknown, has expired or has been revoked.")
			return
		}
		if err != nil {
			app.apiServerError(w, r, err)
			return
		}
		if ok, wait := app.apiLimits.allow(strconv.FormatInt(c.TokenID, 10), app.Now()); !ok {
			secs := max(int(math.Ceil(wait.Seconds())), 1)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			apiFail(w, http.StatusTooManyRequests, fmt.Sprintf("This token has made too many requests. Wait %d seconds and try again.", secs))
			return
		}
		ctx := context.WithValue(r.Context(), apiCallerKey, &c)
		ctx = context.WithValue(ctx, userKey, &c.User)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// apiAllow lets a route through for a token of the scope and a holder of
// one of the roles (any role when none are named).
func (app *Application) apiAllow(scope apitokens.Scope, roles ...users.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := apiCaller(r)
			if c == nil {
				apiFail(w, http.StatusUnauthorized, "Send an API token.")
				return
			}
			if scope == apitokens.ScopeWrite && c.Scope != apitokens.ScopeWrite {
				app.securityEvent(r, audit.SecForbidden, "Refused: a read-only API token tried to write")
				apiFail(w, http.StatusForbidden, "This token may only read. Ask an administrator for a token with the write scope.")
				return
			}
			if len(roles) > 0 && !c.User.HasRole(roles...) {
				app.securityEvent(r, audit.SecForbidden, "Refused: the API token's roles do not allow this")
				apiFail(w, http.StatusForbidden, "The roles of this token's holder do not allow this.")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// apiID reads a numeric path id; 0 and a 404 answer when it is not one.
func apiID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		apiNotFound(w, r)
		return 0, false
	}
	return id, true
}

// apiLoaded answers a read of one record: 404 when missing.
func (app *Application) apiLoaded(w http.ResponseWriter, r *http.Request, err error) bool {
	if errors.Is(err, store.ErrNotFound) {
		apiNotFound(w, r)
		return false
	}
	if err != nil {
		app.apiServerError(w, r, err)
		return false
	}
	return true
}

var rowField = regexp.MustCompile(`^(party|share)-([0-9]+)-(.+)$`)

// apiFieldName turns a form's field name into the JSON body's: the form's
// row fields ("party-2-name") are array members ("parties[1].name").
func apiFieldName(field string) string {
	m := rowField.FindStringSubmatch(field)
	if m == nil {
		return field
	}
	n, _ := strconv.Atoi(m[2])
	list := map[string]string{"party": "parties", "share": "shares"}[m[1]]
	return list + "[" + strconv.Itoa(n-1) + "]." + m[3]
}

// apiDomainError answers a write's error: field errors 422, a conflict
// 409 with the current version, a missing record 404. It reports false
// when err was none of those (the caller answers 500).
func apiDomainError(w http.ResponseWriter, err error, version func() (int, error)) bool {
	var verrs *forms.Errors
	switch {
	case errors.As(err, &verrs):
		var fields []apiFieldError
		for _, f := range verrs.Fields() {
			fields = append(fields, apiFieldError{Field: apiFieldName(f), Message: verrs.Get(f)})
		}
		apiFail(w, http.StatusUnprocessableEntity, "The request has errors: see errors for each field.", fields...)
		return true
	case errors.Is(err, store.ErrConflict):
		p := apiProblem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict,
			Detail: "Someone else changed this record since the version you sent. Read it again, then send your change with its current version."}
		if version != nil {
			if v, verr := version(); verr == nil {
				p.Version = &v
			}
		}
		w.Header().Set("Content-Type", "application/problem+json")
		apiWriteJSON(w, http.StatusConflict, p)
		return true
	case errors.Is(err, store.ErrNotFound):
		apiFail(w, http.StatusNotFound, "There is nothing at this address.")
		return true
	}
	return false
}

// apiDecode reads a JSON body into dst, strictly: only application/json,
// at most maxAPIBody, no unknown fields, the right types, one value. It
// answers the error itself and reports false.
func apiDecode(w http.ResponseWriter, r *http.Request, dst any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		apiFail(w, http.StatusUnsupportedMediaType, "Send the body as JSON, with Content-Type: application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			apiFail(w, http.StatusBadRequest, "The body must hold one JSON object and nothing after it.")
			return false
		}
		return true
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		apiFail(w, http.StatusRequestEntityTooLarge, "The body is larger than the limit of "+maxAPIBodyLabel+".")
	case errors.As(err, &syntax):
		apiFail(w, http.StatusBadRequest, fmt.Sprintf("The body is not valid JSON (at byte %d).", syntax.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		apiFail(w, http.StatusBadRequest, "The body is empty or ends too soon: send a JSON object.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			apiFail(w, http.StatusBadRequest, "The body must be a JSON object.")
			return false
		}
		apiFail(w, http.StatusUnprocessableEntity, "The request has errors: see errors for each field.",
			apiFieldError{Field: field, Message: "Must be " + jsonTypeName(typ.Type.String()) + ", not " + typ.Value})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		apiFail(w, http.StatusUnprocessableEntity, "The request has errors: see errors for each field.",
			apiFieldError{Field: field, Message: "There is no field of this name: check the spelling against the API's description"})
	default:
		apiFail(w, http.StatusBadRequest, "The body could not be read as JSON.")
	}
	return false
}

// jsonTypeName says a Go type as JSON calls it.
func jsonTypeName(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// apiForm is a JSON body turned into the form values the page's form
// posts, so the page's own readers (agreementInput, obligationInput, …)
// parse it with the same rules and messages.
type apiForm struct{ *forms.Form }

func newAPIForm() apiForm { return apiForm{forms.New()} }

func (f apiForm) str(name string, v *string) {
	if v != nil {
		f.Set(name, *v)
	}
}

func (f apiForm) int(name string, v *int64) {
	if v != nil {
		f.Set(name, strconv.FormatInt(*v, 10))
	}
}

func (f apiForm) bool(name string, v *bool) {
	if v != nil && *v {
		f.Set(name, "yes")
	}
}

// date sets the three parts of a date field from an ISO 8601 date; one
// that is not YYYY-MM-DD is refused here, naming the field.
func (f apiForm) date(name string, v *string) {
	if v == nil || *v == "" {
		return
	}
	t, err := time.Parse(time.DateOnly, *v)
	if err != nil {
		f.Errors.Add(name, "Enter the date as YYYY-MM-DD, for example 2026-03-31")
		return
	}
	f.Set(name+"-day", strconv.Itoa(t.Day()))
	f.Set(name+"-month", strconv.Itoa(int(t.Month())))
	f.Set(name+"-year", strconv.Itoa(t.Year()))
}

// apiListParams reads a list's query: limit and cursor, and the same
// filters and sort as the list page. A cursor carries the query it
// continues, so the next page is the same list.
func apiListParams(w http.ResponseWriter, r *http.Request, allowed []string, defaultSort string, defaultDesc bool) (listing.Params, bool) {
	q := r.URL.Query()
	if c := q.Get("cursor"); c != "" {
		raw, err := base64URL.DecodeString(c)
		var cq map[string][]string
		if err != nil || len(raw) > 8192 || json.Unmarshal(raw, &cq) != nil {
			apiFail(w, http.StatusBadRequest, "The cursor is not valid: start again from the first page of the list.",
				apiFieldError{Field: "cursor", Message: "Use the next_cursor of the previous page, unchanged"})
			return listing.Params{}, false
		}
		q = cq
	}
	limit := listing.DefaultPerPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAPILimit {
			apiFail(w, http.StatusBadRequest, "The limit must be a whole number from 1 to "+strconv.Itoa(maxAPILimit)+".",
				apiFieldError{Field: "limit", Message: "Must be a whole number from 1 to " + strconv.Itoa(maxAPILimit)})
			return listing.Params{}, false
		}
		limit = n
	}
	p := listing.Parse(q, allowed, defaultSort, defaultDesc)
	p.PerPage = limit
	p.Forward = true
	return p, true
}

// base64URL encodes a list's cursor.
var base64URL = base64.RawURLEncoding

// maxAPILimit is the most items one page of a list holds.
const maxAPILimit = 200

// apiList is one page of a list.
type apiList[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

// apiPage answers one page of a list paged by number (the public
// developments: a short list that changes rarely), with the cursor of
// the next page when there is one. The others page by keyset
// (sendKeysetList).
func apiPage[T, U any](w http.ResponseWriter, pg listing.Page[T], conv func(T) U) {
	out := apiList[U]{Items: make([]U, 0, len(pg.Items)), Total: pg.Total}
	for _, it := range pg.Items {
		out.Items = append(out.Items, conv(it))
	}
	if pg.Params.Page < pg.Pages() {
		next := map[string][]string{}
		for k, v := range pg.Params.Values {
			if k != "cursor" && k != "page" && k != "before" && k != "after" {
				next[k] = v
			}
		}
		next["page"] = []string{strconv.Itoa(pg.Params.Page + 1)}
		next["limit"] = []string{strconv.Itoa(pg.Params.PerPage)}
		b, _ := json.Marshal(next)
		s := base64URL.EncodeToString(b)
		out.NextCursor = &s
	}
	apiWriteJSON(w, http.StatusOK, out)
}

// apiListError answers a list that could not be read: a bad filter or
// cursor is the caller's mistake.
func (app *Application) apiListError(w http.ResponseWriter, r *http.Request, err error) {
	var verrs *forms.Errors
	switch {
	case errors.As(err, &verrs):
		apiDomainError(w, err, nil)
	case errors.Is(err, listing.ErrBadCursor):
		apiFail(w, http.StatusBadRequest, "The cursor is not valid: start again from the first page of the list.",
			apiFieldError{Field: "cursor", Message: "Use the next_cursor of the previous page, unchanged"})
	default:
		app.apiServerError(w, r, err)
	}
}
