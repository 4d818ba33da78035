package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// access says who may use a route.
type access struct {
	public bool         // no sign-in needed
	roles  []users.Role // nil with public=false: any signed-in user but a ward councillor
	// everyone: with roles nil, a ward councillor too (their own account;
	// a councillor sees nothing else but their ward, issue 25).
	everyone bool
}

var (
	public       = access{public: true}
	signedIn     = access{}
	everyone     = access{everyone: true}
	councillors  = access{roles: []users.Role{users.RoleCouncillor}}
	adminsOnly   = access{roles: []users.Role{users.RoleAdmin}}
	officersOnly = access{roles: []users.Role{users.RoleOfficer}}
	indexAdmins  = access{roles: []users.Role{users.RoleAdmin, users.RoleOfficer}}
	homesTeam    = access{roles: []users.Role{users.RoleHousing, users.RoleOfficer}}
	housingOnly  = access{roles: []users.Role{users.RoleHousing}}
	// apiToken routes take no session (api_test.go checks them).
	apiToken = access{public: true}
)

// expectedAccess lists every route the router serves and who may use it.
// TestEveryRouteChecksSignInAndRoles fails when a route is added to
// routes.go without an entry here, so no route escapes the role check.
var expectedAccess = map[string]access{
	"GET /healthz":                                    public,
	"GET /readyz":                                     public,
	"GET /metrics":                                    public, // loopback or bearer token (TestMetricsAreNeverPublic)
	"GET /static/*":                                   public,
	"GET /accessibility":                              public,
	"GET /login":                                      public,
	"POST /login":                                     public,
	"GET /login/sso":                                  public, // single sign-on (sso_test.go)
	"GET /login/sso/callback":                         public, // the state in the session is the check (TestSSO…)
	"POST /login/sso/backchannel-logout":              public, // the signed logout token is the credential (TestSSOBackChannelLogout…)
	"GET /login/sso/frontchannel-logout":              public, // the provider's secret sid is the credential (TestSSOFrontChannelLogout…)
	"GET /":                                           everyone,
	"POST /logout":                                    everyone,
	"GET /account/password":                           everyone,
	"POST /account/password":                          everyone,
	"GET /account/sessions":                           everyone,
	"POST /account/sessions/end":                      everyone,
	"GET /account/calendar":                           signedIn,
	"POST /account/calendar":                          signedIn,
	"POST /account/calendar/revoke":                   signedIn,
	"GET /calendar/{file}":                            public, // the token is the credential (TestCalendarFeed…)
	"GET /developments":                               signedIn,
	"GET /developments.csv":                           signedIn,
	"GET /developments/new":                           officersOnly,
	"POST /developments":                              officersOnly,
	"GET /developments/{id}":                          signedIn,
	"GET /developments/{id}/edit":                     officersOnly,
	"POST /developments/{id}":                         officersOnly,
	"POST /developments/{id}/archive":                 officersOnly,
	"GET /developments/{id}/applications/new":         officersOnly,
	"POST /developments/{id}/applications":            officersOnly,
	"GET /applications/{id}/edit":                     officersOnly,
	"POST /applications/{id}":                         officersOnly,
	"GET /agreements":                                 signedIn,
	"GET /agreements.csv":                             signedIn,
	"GET /agreements/new":                             officersOnly,
	"POST /agreements":                                officersOnly,
	"GET /agreements/{id}":                            signedIn,
	"GET /agreements/{id}/edit":                       officersOnly,
	"POST /agreements/{id}":                           officersOnly,
	"POST /agreements/{id}/archive":                   officersOnly,
	"GET /agreements/{id}/variations/new":             officersOnly,
	"POST /agreements/{id}/variations":                officersOnly,
	"GET /obligations":                                signedIn,
	"GET /obligations.csv":                            signedIn,
	"GET /agreements/{id}/obligations/new":            officersOnly,
	"POST /agreements/{id}/obligations":               officersOnly,
	"GET /obligations/{id}":                           signedIn,
	"GET /obligations/{id}/edit":                      officersOnly,
	"POST /obligations/{id}":                          officersOnly,
	"POST /obligations/{id}/archive":                  officersOnly,
	"GET /obligations/{id}/events/new":                officersOnly,
	"POST /obligations/{id}/events":                   officersOnly,
	"GET /obligations/{id}/events/{eventID}/reverse":  officersOnly,
	"POST /obligations/{id}/events/{eventID}/reverse": officersOnly,
	"GET /obligations/{id}/invoices/new":              officersOnly,
	"POST /obligations/{id}/invoices":                 officersOnly,
	"GET /obligations/{id}/returns/new":               officersOnly,
	"POST /obligations/{id}/returns":                  officersOnly,
	"GET /obligations/{id}/ledger/{entryID}/reverse":  officersOnly,
	"POST /obligations/{id}/ledger/{entryID}/reverse": officersOnly,
	"GET /receipts":                                   signedIn,
	"GET /receipts.csv":                               signedIn,
	"GET /receipts/new":                               officersOnly,
	"POST /receipts":                                  officersOnly,
	"GET /receipts/{id}":                              signedIn,
	"GET /suspense":                                   signedIn,
	"GET /suspense/{id}":                              signedIn,
	"POST /suspense/{id}":                             officersOnly,
	"GET /cil/parish-reports":                         signedIn,
	"GET /cil/parish-reports.csv":                     signedIn,
	"GET /cil/parish-reports/new":                     officersOnly,
	"POST /cil/parish-reports":                        officersOnly,
	"GET /cil/parish-reports/{id}/edit":               officersOnly,
	"POST /cil/parish-reports/{id}":                   officersOnly,
	"GET /cil/developments/{id}/notices":              signedIn,
	"GET /cil/developments/{id}/parties/new":          officersOnly,
	"POST /cil/developments/{id}/parties":             officersOnly,
	"GET /cil/developments/{id}/commencement/new":     officersOnly,
	"POST /cil/developments/{id}/commencement":        officersOnly,
	"GET /cil/developments/{id}/demand-notices/new":   officersOnly,
	"POST /cil/developments/{id}/demand-notices":      officersOnly,
	"GET /cil/developments/{id}/reliefs/new":          officersOnly,
	"POST /cil/developments/{id}/reliefs":             officersOnly,
	"GET /cil/developments/{id}/surcharges/new":       officersOnly,
	"POST /cil/developments/{id}/surcharges":          officersOnly,
	"GET /cil/developments/{id}/interest/new":         officersOnly,
	"POST /cil/developments/{id}/interest":            officersOnly,
	"GET /cil/commencements/{id}":                     signedIn,
	"POST /cil/commencements/{id}/withdraw":           officersOnly,
	"GET /cil/parties/{id}/withdraw":                  officersOnly,
	"POST /cil/parties/{id}/withdraw":                 officersOnly,
	"GET /cil/demand-notices":                         signedIn,
	"GET /cil/demand-notices.csv":                     signedIn,
	"GET /cil/demand-notices/{id}":                    signedIn,
	"GET /cil/charges/{id}":                           signedIn,
	"POST /cil/charges/{id}/quash":                    officersOnly,
	"GET /cil/reliefs":                                signedIn,
	"GET /cil/reliefs.csv":                            signedIn,
	"GET /cil/reliefs/{id}":                           signedIn,
	"GET /cil/reliefs/{id}/decision":                  officersOnly,
	"POST /cil/reliefs/{id}/decision":                 officersOnly,
	"GET /cil/reliefs/{id}/withdraw":                  officersOnly,
	"POST /cil/reliefs/{id}/withdraw":                 officersOnly,
	"GET /cil/instalment-policies":                    signedIn,
	"GET /cil/instalment-policies/new":                officersOnly,
	"POST /cil/instalment-policies":                   officersOnly,
	"GET /cil/base-rates":                             signedIn,
	"POST /cil/base-rates":                            officersOnly,
	"GET /projects":                                   signedIn,
	"GET /projects.csv":                               signedIn,
	"GET /projects/new":                               officersOnly,
	"POST /projects":                                  officersOnly,
	"GET /projects/{id}":                              signedIn,
	"GET /projects/{id}/edit":                         officersOnly,
	"POST /projects/{id}":                             officersOnly,
	"GET /projects/{id}/allocations/new":              officersOnly,
	"POST /projects/{id}/allocations":                 officersOnly,
	"GET /projects/{id}/deallocations/new":            officersOnly,
	"POST /projects/{id}/deallocations":               officersOnly,
	"GET /projects/{id}/spend/new":                    officersOnly,
	"POST /projects/{id}/spend":                       officersOnly,
	"GET /cil/developments/{id}/money":                signedIn,
	"GET /cil/receipts":                               signedIn,
	"GET /cil/receipts.csv":                           signedIn,
	"GET /cil/receipts/new":                           officersOnly,
	"POST /cil/receipts":                              officersOnly,
	"GET /cil/entries/{id}":                           signedIn,
	"POST /cil/entries/{id}/reverse":                  officersOnly,
	"GET /cil/entries/new":                            officersOnly,
	"POST /cil/entries":                               officersOnly,
	"GET /cil/projects":                               signedIn,
	"GET /cil/parishes":                               signedIn,
	"GET /cil/parishes/new":                           officersOnly,
	"POST /cil/parishes":                              officersOnly,
	"GET /cil/parishes/{code}":                        signedIn,
	"GET /cil/parishes/{code}/edit":                   officersOnly,
	"POST /cil/parishes/{code}":                       officersOnly,
	"POST /cil/parishes/{code}/dwellings":             officersOnly,
	"POST /cil/parishes/{code}/recovery-notices":      officersOnly,
	"GET /cil/parish-payments":                        signedIn,
	"GET /cil/parish-payments.csv":                    signedIn,
	"GET /cil/parish-payments/new":                    officersOnly,
	"POST /cil/parish-payments":                       officersOnly,
	"GET /deadlines":                                  signedIn,
	"GET /deadlines.csv":                              signedIn,
	"GET /reconciliation":                             officersOnly,
	"POST /reconciliation":                            officersOnly,
	"GET /admin/indices":                              indexAdmins,
	"GET /admin/indices/{code}":                       indexAdmins,
	"POST /admin/indices/{code}/values":               indexAdmins,
	"POST /admin/indices/{code}/upload":               indexAdmins,
	"GET /homes":                                      signedIn,
	"GET /homes.csv":                                  signedIn,
	"GET /developments/{id}/homes":                    signedIn,
	"GET /developments/{id}/homes/new":                homesTeam,
	"POST /developments/{id}/homes":                   homesTeam,
	"GET /developments/{id}/homes/generate":           homesTeam,
	"POST /developments/{id}/homes/generate":          homesTeam,
	"GET /developments/{id}/homes/import":             homesTeam,
	"POST /developments/{id}/homes/import":            homesTeam,
	"POST /developments/{id}/homes/import/confirm":    homesTeam,
	"POST /developments/{id}/homes/bulk":              homesTeam,
	"GET /developments/{id}/occupation-counts/new":    homesTeam,
	"POST /developments/{id}/links":                   homesTeam,
	"POST /providers/{id}/links":                      homesTeam,
	"POST /links/{id}/revoke":                         homesTeam,
	"GET /pending":                                    homesTeam,
	"GET /pending/{id}":                               homesTeam,
	"POST /pending/{id}/decide":                       housingOnly,
	"GET /l/{token}":                                  public,
	"GET /l/{token}/homes/{homeID}":                   public,
	"POST /l/{token}/homes/{homeID}":                  public,
	"GET /l/{token}/occupation":                       public,
	"POST /l/{token}/occupation":                      public,
	"GET /l/{token}/return":                           public,
	"POST /l/{token}/return":                          public,
	"GET /returns":                                    homesTeam,
	"GET /price-paid":                                 homesTeam,
	"GET /companies":                                  homesTeam,
	"POST /companies/check":                           homesTeam,
	"POST /companies/bulk":                            homesTeam,
	"POST /price-paid":                                homesTeam,
	"POST /returns":                                   homesTeam,
	"GET /returns/{year}":                             homesTeam,
	"POST /returns/{year}/remind":                     homesTeam,
	"POST /developments/{id}/occupation-counts":       homesTeam,
	"GET /homes/{id}":                                 signedIn,
	"GET /homes/{id}/edit":                            homesTeam,
	"POST /homes/{id}":                                homesTeam,
	"GET /homes/{id}/events/new":                      homesTeam,
	"POST /homes/{id}/events":                         homesTeam,
	"GET /homes/{id}/events/{eventID}/reverse":        homesTeam,
	"POST /homes/{id}/events/{eventID}/reverse":       homesTeam,
	"GET /lost-stock":                                 signedIn,
	"GET /lost-stock.csv":                             signedIn,
	"GET /providers":                                  signedIn,
	"GET /providers/register":                         signedIn,
	"POST /providers/register":                        homesTeam,
	"GET /providers/new":                              homesTeam,
	"POST /providers":                                 homesTeam,
	"GET /providers/{id}":                             signedIn,
	"GET /providers/{id}/edit":                        homesTeam,
	"POST /providers/{id}":                            homesTeam,
	"GET /obligations/{id}/homes":                     signedIn,
	"GET /obligations/{id}/mix":                       homesTeam,
	"POST /obligations/{id}/mix":                      homesTeam,
	"POST /obligations/{id}/verify":                   housingOnly,
	"GET /breaches":                                   signedIn,
	"GET /admin/tenures":                              adminsOnly,
	"POST /admin/tenures":                             adminsOnly,
	"GET /admin/purposes":                             adminsOnly,
	"POST /admin/purposes":                            adminsOnly,
	"GET /admin/api-tokens":                           adminsOnly,
	"POST /admin/api-tokens":                          adminsOnly,
	"POST /admin/api-tokens/{id}/revoke":              adminsOnly,
	// BEGIN api routes: no session; the bearer token is the credential.
	// TestAPIEveryEndpointChecksTokenScopeAndRoles checks each endpoint
	// without a token, with a session cookie, and with every role and scope.
	"GET /api/v1/openapi.json":                                apiToken,
	"GET /api/v1/public/overview":                             apiToken,
	"GET /api/v1/public/developments":                         apiToken,
	"GET /api/v1/public/developments/{id}":                    apiToken,
	"GET /api/v1/agreements":                                  apiToken,
	"POST /api/v1/agreements":                                 apiToken,
	"GET /api/v1/agreements/{id}":                             apiToken,
	"PUT /api/v1/agreements/{id}":                             apiToken,
	"POST /api/v1/agreements/{id}/obligations":                apiToken,
	"GET /api/v1/obligations":                                 apiToken,
	"GET /api/v1/obligations/{id}":                            apiToken,
	"PUT /api/v1/obligations/{id}":                            apiToken,
	"GET /api/v1/obligations/{id}/ledger":                     apiToken,
	"POST /api/v1/obligations/{id}/ledger/{entryID}/reversal": apiToken,
	"POST /api/v1/receipts":                                   apiToken,
	"GET /api/v1/receipts/{id}":                               apiToken,
	"GET /api/v1/projects":                                    apiToken,
	"GET /api/v1/projects/{id}":                               apiToken,
	"GET /api/v1/homes":                                       apiToken,
	"GET /api/v1/homes/{id}":                                  apiToken,
	"GET /api/v1/homes/{id}/events":                           apiToken,
	"POST /api/v1/homes/{id}/events":                          apiToken,
	"GET /api/v1/deadlines":                                   apiToken,
	"GET /api/v1/statements/{year}":                           apiToken,
	// END api routes
	// BEGIN public routes
	"GET /public":                                public,
	"GET /public/developments":                   public,
	"GET /public/developments/{id}":              public,
	"GET /public/statements":                     public,
	"GET /public/statements/{year}/{file}":       public,
	"GET /public/data":                           public,
	"GET /public/data/dictionary":                public,
	"GET /public/data/{file}":                    public,
	"GET /public/*":                              public,
	"GET /public/near":                           public,
	"GET /public/map":                            public,
	"GET /public/glossary":                       public,
	"GET /public/cil":                            public,
	"GET /public/cil.csv":                        public,
	"GET /public/wards":                          public,
	"GET /public/wards/{slug}":                   public,
	"GET /public/wards/{slug}/data.csv":          public,
	"GET /public/parishes":                       public,
	"GET /public/parishes/{slug}":                public,
	"GET /public/parishes/{slug}/data.csv":       public,
	"GET /public/infrastructure":                 public,
	"GET /public/infrastructure/{code}":          public,
	"GET /public/infrastructure/{code}/data.csv": public,
	"GET /public/developments/{id}/feed.atom":    public,
	"GET /public/wards/{slug}/feed.atom":         public,
	"GET /public/parishes/{slug}/feed.atom":      public,
	"GET /public/subscribe":                      public,
	"POST /public/subscribe":                     public, // CSRF-checked, rate-limited (TestResidentSubscribes…)
	"GET /public/subscriptions/confirm/{token}":  public, // the token is the credential
	"POST /public/subscriptions/confirm/{token}": public,
	"GET /public/unsubscribe/{token}":            public,
	"POST /public/unsubscribe/{token}":           public, // RFC 8058 one-click
	// END public routes
	// BEGIN publication routes
	"GET /agreements/{id}/publication":  officersOnly,
	"POST /agreements/{id}/publication": officersOnly,
	// END publication routes
	// BEGIN imports routes
	"GET /imports":               indexAdmins,
	"POST /imports":              indexAdmins,
	"POST /imports/check":        indexAdmins,
	"POST /imports/confirm":      indexAdmins,
	"POST /imports/left-out.csv": indexAdmins,
	"GET /imports/template.zip":  indexAdmins,
	"GET /imports/export.zip":    indexAdmins,
	"GET /imports/quality":       indexAdmins,
	// END imports routes
	// BEGIN documents routes
	"GET /documents/add/{kind:agreement|obligation|ledger-entry|obligation-event|project}/{id}":  officersOnly,
	"POST /documents/add/{kind:agreement|obligation|ledger-entry|obligation-event|project}/{id}": officersOnly,
	"GET /documents/add/{kind:home|home-event}/{id}":                                             homesTeam,
	"POST /documents/add/{kind:home|home-event}/{id}":                                            homesTeam,
	"GET /documents/{id}":                           signedIn,
	"GET /public/deeds/{id}":                        public, // only a version marked as a deed's public copy (TestOnlyTheMarkedRedactedDeedIsServedPublicly)
	"GET /documents/{id}/versions/{versionID}/file": signedIn,
	"POST /documents/{id}/versions":                 homesTeam,
	"POST /documents/{id}/archive":                  homesTeam,
	"GET /obligations/{id}/letters/{kind}":          officersOnly,
	"POST /obligations/{id}/letters/{kind}":         officersOnly,
	"GET /documents/search":                         signedIn,
	"GET /discharges":                               signedIn,
	"GET /discharges.csv":                           signedIn,
	"GET /admin/letters":                            adminsOnly,
	"POST /admin/letters/settings":                  adminsOnly,
	"GET /admin/letters/{kind}":                     adminsOnly,
	"POST /admin/letters/{kind}":                    adminsOnly,
	"POST /documents/{id}/public":                   officersOnly,
	// END documents routes
	// BEGIN dashboard routes
	"GET /dashboard":           signedIn,
	"GET /reports/at-risk":     signedIn,
	"GET /reports/at-risk.csv": signedIn,
	// END dashboard routes
	// BEGIN alerts routes
	"GET /alerts":                   signedIn,
	"GET /alerts.csv":               signedIn,
	"GET /alerts/{id}":              signedIn,
	"POST /alerts/{id}/acknowledge": signedIn,
	"GET /account/notifications":    signedIn,
	"POST /account/notifications":   signedIn,
	"GET /admin/alert-rules":        adminsOnly,
	"POST /admin/alert-rules":       adminsOnly,
	// END alerts routes
	// BEGIN jobs routes
	"GET /admin/jobs":               adminsOnly,
	"GET /admin/jobs/{name}":        adminsOnly,
	"POST /admin/jobs/{name}/run":   adminsOnly,
	"GET /admin/outbox":             adminsOnly,
	"POST /admin/outbox/{id}/retry": adminsOnly,
	// END jobs routes
	// BEGIN ifs routes
	"GET /ifs":                                  signedIn,
	"GET /ifs/infrastructure-list":              signedIn,
	"POST /ifs/infrastructure-list":             access{roles: []users.Role{users.RoleManager, users.RoleAdmin}},
	"POST /ifs/infrastructure-list/{id}/remove": access{roles: []users.Role{users.RoleManager, users.RoleAdmin}},
	"GET /ifs/{year}":                           signedIn,
	"GET /ifs/{year}/statement.csv":             signedIn,
	"GET /ifs/{year}/published/{file}":          signedIn,
	"GET /ifs/{year}/publish":                   access{roles: []users.Role{users.RoleManager, users.RoleAdmin}},
	"POST /ifs/{year}/publish":                  access{roles: []users.Role{users.RoleManager, users.RoleAdmin}},
	"POST /ifs/{year}/borrowing":                access{roles: []users.Role{users.RoleOfficer, users.RoleManager, users.RoleAdmin}},
	// END ifs routes
	// BEGIN data-standard routes
	"GET /data-standard":        signedIn,
	"GET /data-standard/{file}": signedIn,
	// END data-standard routes
	"GET /admin":                           indexAdmins,
	"GET /admin/users":                     adminsOnly,
	"GET /admin/users.csv":                 adminsOnly,
	"GET /admin/users/new":                 adminsOnly,
	"POST /admin/users":                    adminsOnly,
	"GET /admin/users/{id}":                adminsOnly,
	"POST /admin/users/{id}":               adminsOnly,
	"POST /admin/users/{id}/disabled":      adminsOnly,
	"POST /admin/users/{id}/password":      adminsOnly,
	"POST /admin/users/{id}/sessions/end":  adminsOnly,
	"POST /admin/users/{id}/locks/clear":   adminsOnly,
	"GET /admin/security":                  adminsOnly,
	"GET /admin/sso":                       adminsOnly,
	"POST /admin/sso/mappings":             adminsOnly,
	"POST /admin/sso/mappings/{id}/remove": adminsOnly,
	"POST /admin/security/locks/clear":     adminsOnly,
	"POST /admin/users/{id}/ward":          adminsOnly,
	"GET /councillor":                      councillors,

	// The Community Infrastructure Levy, part A (issue 20).
	"GET /cil":                                          signedIn,
	"GET /cil/schedules":                                signedIn,
	"GET /cil/schedules.csv":                            signedIn,
	"GET /cil/schedules/new":                            officersOnly,
	"POST /cil/schedules":                               officersOnly,
	"GET /cil/schedules/{id}":                           signedIn,
	"GET /cil/schedules/{id}/edit":                      officersOnly,
	"POST /cil/schedules/{id}":                          officersOnly,
	"GET /cil/schedules/{id}/zones/new":                 officersOnly,
	"POST /cil/schedules/{id}/zones":                    officersOnly,
	"GET /cil/schedules/{id}/zones/{zoneID}/edit":       officersOnly,
	"POST /cil/schedules/{id}/zones/{zoneID}":           officersOnly,
	"POST /cil/schedules/{id}/rates":                    officersOnly,
	"POST /cil/schedules/{id}/rates/{rateID}/remove":    officersOnly,
	"GET /cil/developments":                             signedIn,
	"GET /cil/developments.csv":                         signedIn,
	"GET /cil/developments/new":                         officersOnly,
	"POST /cil/developments":                            officersOnly,
	"GET /cil/developments/{id}":                        signedIn,
	"GET /cil/developments/{id}/edit":                   officersOnly,
	"POST /cil/developments/{id}":                       officersOnly,
	"POST /cil/developments/{id}/zones":                 officersOnly,
	"GET /cil/developments/{id}/areas":                  signedIn,
	"POST /cil/developments/{id}/areas":                 officersOnly,
	"POST /cil/developments/{id}/areas/{areaID}/remove": officersOnly,
	"GET /cil/developments/{id}/liability-notices/new":  officersOnly,
	"POST /cil/developments/{id}/liability-notices":     officersOnly,
	"GET /cil/liability-notices/{id}":                   signedIn,
}

// routeKeys walks the real router and returns "METHOD /pattern" for each route.
func routeKeys(t *testing.T, h http.Handler) []string {
	t.Helper()
	var keys []string
	err := chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(route, "/")
		if route == "" {
			route = "/"
		}
		route = strings.ReplaceAll(route, "/*/", "/")
		keys = append(keys, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// concretePath fills URL parameters with a real id.
func concretePath(pattern string, id int64) string {
	p := strings.ReplaceAll(pattern, "{id}", fmt.Sprint(id))
	p = strings.ReplaceAll(p, "{eventID}", fmt.Sprint(id))
	p = strings.ReplaceAll(p, "{entryID}", fmt.Sprint(id))
	p = strings.ReplaceAll(p, "{code}", "rpi")
	// BEGIN extra URL parameters (one line per parameter)
	p = strings.ReplaceAll(p, "{name}", "deliver-mail")
	p = strings.ReplaceAll(p, "{year}", "2025")
	p = strings.ReplaceAll(p, "{file}", "developer-agreement.csv")
	p = strings.ReplaceAll(p, "{versionID}", fmt.Sprint(id))
	p = strings.ReplaceAll(p, "{kind:agreement|obligation|ledger-entry|obligation-event|project}", "agreement")
	p = strings.ReplaceAll(p, "{kind:home|home-event}", "home")
	p = strings.ReplaceAll(p, "{kind}", "invoice")
	// END extra URL parameters
	return strings.ReplaceAll(p, "*", "app.css")
}

func TestEveryRouteChecksSignInAndRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	target := addUser(t, app.DB, "target@test.example", users.RoleViewer)
	for _, r := range users.AllRoles {
		addUser(t, app.DB, string(r)+"@test.example", r)
	}
	ts := newTestServer(t, app)
	keys := routeKeys(t, app.Routes())

	for _, key := range keys {
		if _, ok := expectedAccess[key]; !ok {
			t.Errorf("route %q is not listed in expectedAccess: say who may use it", key)
		}
	}
	for key := range expectedAccess {
		if !slices.Contains(keys, key) {
			t.Errorf("expectedAccess lists %q but the router has no such route", key)
		}
	}

	for _, key := range keys {
		want, listed := expectedAccess[key]
		if !listed || want.public {
			continue
		}
		method, pattern, _ := strings.Cut(key, " ")
		path := concretePath(pattern, target.ID)

		t.Run("anonymous "+key, func(t *testing.T) {
			anon := &testServer{Server: ts.Server, app: app, client: newClient()}
			var res response
			if method == http.MethodGet {
				res = anon.get(t, path)
				if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
					t.Fatalf("status %d location %q, want 303 to /login", res.status, res.header.Get("Location"))
				}
				return
			}
			res = anon.post(t, path, url.Values{})
			if res.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.status)
			}
		})

		for _, role := range users.AllRoles {
			allowed := want.roles == nil && (role != users.RoleCouncillor || want.everyone) || slices.Contains(want.roles, role)
			if allowed {
				continue // allowed roles are exercised by each feature's own tests
			}
			t.Run(string(role)+" "+key, func(t *testing.T) {
				c := &testServer{Server: ts.Server, app: app, client: newClient()}
				c.login(t, string(role)+"@test.example", testPassword)
				token := c.csrf(t, "/account/password") // every role, a ward councillor too, has this page
				var res response
				if method == http.MethodGet {
					res = c.get(t, path)
				} else {
					res = c.post(t, path, url.Values{"csrf_token": {token}})
				}
				if res.status != http.StatusForbidden {
					t.Fatalf("status %d, want 403 for role %s", res.status, role)
				}
			})
		}
	}
}

func TestForgedPostWithoutCSRFTokenIsRejected(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)

	forged := url.Values{"name": {"Mallory"}, "email": {"mallory@evil.example"}, "roles": {"admin"}}
	for name, token := range map[string]string{"no token": "", "wrong token": "forged-token-value"} {
		f := cloneValues(forged)
		if token != "" {
			f.Set("csrf_token", token)
		}
		res := ts.do(t, ts.client, http.MethodPost, "/admin/users", f)
		if res.status != http.StatusForbidden || !strings.Contains(res.body, "Your form could not be sent") {
			t.Errorf("%s: status %d, want 403 with explanation", name, res.status)
		}
	}
	// A cross-site request the browser labels as such is refused even with a token.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/admin/users", strings.NewReader(url.Values{"csrf_token": {ts.csrf(t, "/")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", res.StatusCode)
	}
	list, _ := app.Users.List(t.Context())
	for _, u := range list {
		if u.Email == "mallory@evil.example" {
			t.Fatal("a forged request created a user")
		}
	}
	_ = admin
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	for _, path := range []string{"/login", "/healthz", "/no-such-page", "/static/app.css"} {
		res := ts.get(t, path)
		h := res.header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: missing secure headers: %v", path, h)
		}
	}
	// Anonymous visitors get only the sign-in form's CSRF cookie (no
	// session row); signing in gives the session cookie.
	ts.client = newClient()
	res := ts.get(t, "/login")
	cookie := res.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "s106_csrf=") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("sign-in form cookie %q must be HttpOnly and SameSite=Strict", cookie)
	}
	addUser(t, app.DB, "headers@test.example", users.RoleViewer)
	res = ts.post(t, "/login", url.Values{"email": {"headers@test.example"}, "password": {testPassword}})
	cookie = res.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "s106_session=") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q must be HttpOnly and SameSite=Lax", cookie)
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie is Secure over plain HTTP in development: %q", cookie)
	}
}

func TestSecureCookieWhenServedOverHTTPS(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Sessions.Cookie.Secure = true // what S106_BASE_URL=https://… configures
	ts := newTestServer(t, app)
	res := ts.get(t, "/login")
	if c := res.header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Errorf("cookie %q should be Secure", c)
	}
}

func TestErrorPagesAreStyledAndHelpful(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	res := ts.get(t, "/no-such-page")
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusNotFound || page.Text("main h1") != "Page not found" || !page.Has("html.govuk-template") {
		t.Errorf("404: status %d, heading %q", res.status, page.Text("main h1"))
	}
	ts.login(t, "viewer@test.example", testPassword)
	res = ts.get(t, "/admin/users")
	page = htmltest.Parse(t, res.body)
	if res.status != http.StatusForbidden || page.Text("main h1") != "You do not have permission to do this" ||
		!strings.HasPrefix(page.Text(".app-account-bar__who"), "Signed in as Test viewer@test.example") {
		t.Errorf("403: status %d, heading %q, header %q", res.status, page.Text("main h1"), page.Text(".app-account-bar__who"))
	}
	res = ts.get(t, "/admin/users/not-a-number")
	if res.status != http.StatusForbidden {
		t.Errorf("a viewer probing admin URLs: status %d, want 403", res.status)
	}
}

func TestPanicBecomesStyled500(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	h := app.recoverPanic(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	srv := newTestServerHandler(t, h)
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
}
