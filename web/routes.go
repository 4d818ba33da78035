package web

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/s106monitor/s106/internal/apitokens"
	"github.com/s106monitor/s106/static"
)

// Routes returns the router: every route the product serves, with the
// roles it needs, on one screen. Nothing registers routes elsewhere.
// routes_test.go holds the expected access for each route and fails when a
// route is added here without being listed there.
func (app *Application) Routes() http.Handler {
	r := chi.NewRouter()
	// HEAD is answered by the GET handler (net/http drops the body), so
	// caches and link checkers that probe with HEAD work.
	r.Use(app.recoverPanic, app.logRequests, secureHeaders(contentSecurityPolicyFor(app.tileSource())), middleware.GetHead, app.rejectInvalidText)
	// Unknown addresses get the styled 404 page, with the session loaded so
	// the header still shows who is signed in.
	r.NotFound(noStore(app.Sessions.LoadAndSave(app.authenticate(http.HandlerFunc(app.notFound)))).ServeHTTP)
	r.MethodNotAllowed(noStore(app.Sessions.LoadAndSave(app.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.clientError(w, r, http.StatusMethodNotAllowed)
	})))).ServeHTTP)

	// Public, no session: health and assets.
	r.Get("/healthz", app.healthz)
	r.Get("/readyz", app.readyz)
	r.Get("/metrics", app.metrics)
	assets, _ := fs.Sub(static.FS, "dist")
	r.Method(http.MethodGet, "/static/*", http.StripPrefix("/static/", cacheAssets(http.FileServerFS(assets))))

	// The redacted copy of a deed (documents.go): public, no session, and
	// streamed rather than kept in the public pages' memory cache.
	r.With(app.fromReplica).Get("/public/deeds/{id}", app.publicDeed)

	// Public pages: no login, no session cookie, cacheable (issue #8);
	// read from the read replica when there is one (replica.go).
	r.Group(func(r chi.Router) {
		r.Use(app.fromReplica, app.publicCache)
		r.Get("/public", app.publicOverview)
		r.Get("/public/developments", app.publicDevelopments)
		r.Get("/public/developments/{id}", app.publicDevelopment)
		r.Get("/public/statements", app.publicStatements)
		r.Get("/public/statements/{year}/{file}", app.publicStatementFile)
		r.Get("/public/data", app.publicOpenData)
		r.Get("/public/data/dictionary", app.publicDictionary)
		r.Get("/public/data/{file}", app.publicDataFile)
		// Where I live, by place and by kind of infrastructure (issue 25).
		r.Get("/public/near", app.publicNear)
		r.Get("/public/map", app.publicMap)
		r.Get("/public/glossary", app.publicGlossary)
		r.Get("/public/cil", app.publicCIL)
		r.Get("/public/cil.csv", app.publicCILCSV)
		r.Get("/public/wards", app.publicAreas("ward"))
		r.Get("/public/wards/{slug}", app.publicArea("ward"))
		r.Get("/public/wards/{slug}/data.csv", app.publicAreaCSV("ward"))
		r.Get("/public/parishes", app.publicAreas("parish"))
		r.Get("/public/parishes/{slug}", app.publicArea("parish"))
		r.Get("/public/parishes/{slug}/data.csv", app.publicAreaCSV("parish"))
		r.Get("/public/infrastructure", app.publicInfrastructureList)
		r.Get("/public/infrastructure/{code}", app.publicInfrastructure)
		r.Get("/public/infrastructure/{code}/data.csv", app.publicInfrastructureCSV)
		r.Get("/public/developments/{id}/feed.atom", app.publicDevelopmentFeed)
		r.Get("/public/wards/{slug}/feed.atom", app.publicAreaFeed("ward"))
		r.Get("/public/parishes/{slug}/feed.atom", app.publicAreaFeed("parish"))
		r.Get("/public/*", app.publicNotFound)
	})

	// Capability links (developers, registered providers): no sign-in, no
	// session and no cookie; the token in the address is the credential,
	// checked for its purpose and scope by each handler (links.go).
	r.Group(func(r chi.Router) {
		r.Use(linkHeaders)
		r.Get("/l/{token}", app.linkHome)
		r.Get("/l/{token}/homes/{homeID}", app.linkHomeForm)
		r.Post("/l/{token}/homes/{homeID}", app.linkHomeSubmit)
		r.Get("/l/{token}/occupation", app.linkOccupationForm)
		r.Post("/l/{token}/occupation", app.linkOccupationSubmit)
		r.Get("/l/{token}/return", app.linkReturnPage)
		r.Post("/l/{token}/return", app.linkReturnSubmit)
		// Residents' subscription links: confirm, and one-click unsubscribe
		// (public_subscriptions.go).
		r.Get("/public/subscriptions/confirm/{token}", app.subscriptionLink(true))
		r.Post("/public/subscriptions/confirm/{token}", app.subscriptionLink(true))
		r.Get("/public/unsubscribe/{token}", app.subscriptionLink(false))
		r.Post("/public/unsubscribe/{token}", app.subscriptionLink(false))
		// A user's calendar feed, read by calendar programs (calendar.go).
		r.Get("/calendar/{file}", app.calendarFeed)
	})

	// Back-channel logout from the identity provider, server to server: no
	// session and no CSRF token; the signed logout token is the credential.
	r.Post("/login/sso/backchannel-logout", app.ssoBackchannelLogout)
	r.Get("/login/sso/frontchannel-logout", app.ssoFrontChannelLogout)
	// The JSON API: no session, no cookie and so no CSRF token; an API
	// token (Authorization: Bearer) is the only credential, its scope and
	// its holder's roles checked for each route. api_spec.go is the
	// contract these routes must match (TestAPIRoutesMatchTheContract).
	r.Route("/api/v1", func(r chi.Router) {
		r.NotFound(apiNotFound)
		r.MethodNotAllowed(apiMethodNotAllowed)
		r.Get("/openapi.json", app.apiOpenAPI)
		// The public pages' data, with their allow-list, needing no token.
		r.Group(func(r chi.Router) {
			r.Use(app.fromReplica, app.publicCache)
			r.Get("/public/overview", app.apiPublicOverview)
			r.Get("/public/developments", app.apiPublicDevelopments)
			r.Get("/public/developments/{id}", app.apiPublicDevelopment)
		})
		r.Group(func(r chi.Router) {
			r.Use(apiHeaders, app.apiAuthenticate)
			read := app.apiAllow(apitokens.ScopeRead)
			officer := app.apiAllow(apitokens.ScopeWrite, editRegister...)
			homes := app.apiAllow(apitokens.ScopeWrite, editHomes...)
			r.With(read).Get("/agreements", app.apiAgreements)
			r.With(officer).Post("/agreements", app.apiAgreementCreate)
			r.With(read).Get("/agreements/{id}", app.apiAgreement)
			r.With(officer).Put("/agreements/{id}", app.apiAgreementUpdate)
			r.With(officer).Post("/agreements/{id}/obligations", app.apiObligationCreate)
			r.With(read).Get("/obligations", app.apiObligations)
			r.With(read).Get("/obligations/{id}", app.apiObligation)
			r.With(officer).Put("/obligations/{id}", app.apiObligationUpdate)
			r.With(read).Get("/obligations/{id}/ledger", app.apiObligationLedger)
			r.With(officer).Post("/obligations/{id}/ledger/{entryID}/reversal", app.apiEntryReverse)
			r.With(officer).Post("/receipts", app.apiReceiptCreate)
			r.With(read).Get("/receipts/{id}", app.apiReceipt)
			r.With(read).Get("/projects", app.apiProjects)
			r.With(read).Get("/projects/{id}", app.apiProject)
			r.With(read).Get("/homes", app.apiHomes)
			r.With(read).Get("/homes/{id}", app.apiHome)
			r.With(read).Get("/homes/{id}/events", app.apiHomeEvents)
			r.With(homes).Post("/homes/{id}/events", app.apiHomeEventCreate)
			r.With(read).Get("/deadlines", app.apiDeadlines)
			r.With(read).Get("/statements/{year}", app.apiStatement)
		})
	})

	// Everything else has a session, a user if signed in, and CSRF checks;
	// reports and downloads read from the read replica once it has the
	// user's own last change (replica.go).
	r.Group(func(r chi.Router) {
		r.Use(noStore, app.Sessions.LoadAndSave, app.authenticate, app.csrf, app.readYourWrites)

		r.Get("/accessibility", app.accessibility)
		// A resident subscribes to e-mails (no account; CSRF-checked).
		r.Get("/public/subscribe", app.publicSubscribeForm)
		r.With(app.limitLogin).Post("/public/subscribe", app.publicSubscribe)
		r.Get("/login", app.loginForm)
		r.With(app.limitLogin).Post("/login", app.login)
		// Single sign-on with the council's identity provider (sso.go).
		r.Get("/login/sso", app.ssoStart)
		r.Get("/login/sso/callback", app.ssoCallback)

		r.Group(func(r chi.Router) {
			r.Use(app.requireLogin)
			r.Get("/", app.home)
			r.Post("/logout", app.logout)
			r.Get("/account/password", app.passwordForm)
			r.Post("/account/password", app.passwordChange)
			r.Get("/account/sessions", app.accountSessions)
			r.Post("/account/sessions/end", app.accountEndSessions)
			r.Get("/account/calendar", app.accountCalendar)
			r.Post("/account/calendar", app.accountCalendarCreate)
			r.Post("/account/calendar/revoke", app.accountCalendarRevoke)
			// A ward councillor's ward, with its non-public detail (issue 25).
			r.With(app.require(councillorWard)).Get("/councillor", app.councillorWard)

			// The agreement register: everyone signed in reads; monitoring
			// officers change.
			officer := app.require(editRegister)
			r.Get("/developments", app.developmentsList)
			r.Get("/developments.csv", app.developmentsCSV)
			r.With(officer).Get("/developments/new", app.developmentNew)
			r.With(officer).Post("/developments", app.developmentCreate)
			r.Get("/developments/{id}", app.developmentShow)
			r.With(officer).Get("/developments/{id}/edit", app.developmentEdit)
			r.With(officer).Post("/developments/{id}", app.developmentUpdate)
			r.With(officer).Post("/developments/{id}/archive", app.developmentArchive)
			r.With(officer).Get("/developments/{id}/applications/new", app.applicationNew)
			r.With(officer).Post("/developments/{id}/applications", app.applicationCreate)
			r.With(officer).Get("/applications/{id}/edit", app.applicationEdit)
			r.With(officer).Post("/applications/{id}", app.applicationUpdate)

			r.Get("/agreements", app.agreementsList)
			r.Get("/agreements.csv", app.agreementsCSV)
			r.With(officer).Get("/agreements/new", app.agreementNew)
			r.With(officer).Post("/agreements", app.agreementCreate)
			r.Get("/agreements/{id}", app.agreementShow)
			r.With(officer).Get("/agreements/{id}/edit", app.agreementEdit)
			r.With(officer).Post("/agreements/{id}", app.agreementUpdate)
			r.With(officer).Post("/agreements/{id}/archive", app.agreementArchive)
			r.With(officer).Get("/agreements/{id}/variations/new", app.variationNew)
			r.With(officer).Post("/agreements/{id}/variations", app.variationCreate)

			r.Get("/obligations", app.obligationsList)
			r.Get("/obligations.csv", app.obligationsCSV)
			r.With(officer).Get("/agreements/{id}/obligations/new", app.obligationNew)
			r.With(officer).Post("/agreements/{id}/obligations", app.obligationCreate)
			r.Get("/obligations/{id}", app.obligationShow)
			r.With(officer).Get("/obligations/{id}/edit", app.obligationEdit)
			r.With(officer).Post("/obligations/{id}", app.obligationUpdate)
			r.With(officer).Post("/obligations/{id}/archive", app.obligationArchive)
			r.With(officer).Get("/obligations/{id}/events/new", app.obligationEventNew)
			r.With(officer).Post("/obligations/{id}/events", app.obligationEventCreate)
			r.With(officer).Get("/obligations/{id}/events/{eventID}/reverse", app.obligationEventReverseForm)
			r.With(officer).Post("/obligations/{id}/events/{eventID}/reverse", app.obligationEventReverse)

			// Money: monitoring officers record it; everyone signed in reads it.
			r.With(officer).Get("/obligations/{id}/invoices/new", app.invoiceNew)
			r.With(officer).Post("/obligations/{id}/invoices", app.invoiceCreate)
			r.With(officer).Get("/obligations/{id}/returns/new", app.returnNew)
			r.With(officer).Post("/obligations/{id}/returns", app.returnCreate)
			r.With(officer).Get("/obligations/{id}/ledger/{entryID}/reverse", app.entryReverseForm)
			r.With(officer).Post("/obligations/{id}/ledger/{entryID}/reverse", app.entryReverse)

			r.Get("/receipts", app.receiptsList)
			r.Get("/receipts.csv", app.receiptsCSV)
			r.With(officer).Get("/receipts/new", app.receiptNew)
			r.With(officer).Post("/receipts", app.receiptCreate)
			r.Get("/receipts/{id}", app.receiptShow)
			r.Get("/suspense", app.suspenseList)
			r.Get("/suspense/{id}", app.suspenseShow)
			r.With(officer).Post("/suspense/{id}", app.suspenseMove)

			r.Get("/projects", app.projectsList)
			r.Get("/projects.csv", app.projectsCSV)
			r.With(officer).Get("/projects/new", app.projectNew)
			r.With(officer).Post("/projects", app.projectCreate)
			r.Get("/projects/{id}", app.projectShow)
			r.With(officer).Get("/projects/{id}/edit", app.projectEdit)
			r.With(officer).Post("/projects/{id}", app.projectUpdate)
			r.With(officer).Get("/projects/{id}/allocations/new", app.allocationNew)
			r.With(officer).Post("/projects/{id}/allocations", app.allocationCreate)
			r.With(officer).Get("/projects/{id}/deallocations/new", app.deallocationNew)
			r.With(officer).Post("/projects/{id}/deallocations", app.deallocationCreate)
			r.With(officer).Get("/projects/{id}/spend/new", app.spendNew)
			r.With(officer).Post("/projects/{id}/spend", app.spendCreate)

			// The parishes' annual CIL reports (cil_parish_reports.go).
			r.Get("/cil/parish-reports", app.cilParishReportsList)
			r.Get("/cil/parish-reports.csv", app.cilParishReportsCSV)
			r.With(officer).Get("/cil/parish-reports/new", app.cilParishReportNew)
			r.With(officer).Post("/cil/parish-reports", app.cilParishReportSave)
			r.With(officer).Get("/cil/parish-reports/{id}/edit", app.cilParishReportEdit)
			r.With(officer).Post("/cil/parish-reports/{id}", app.cilParishReportSave)
			// The levy's ledger and the neighbourhood portion (issue 20,
			// item 4: cil_money.go, cil_parishes.go).
			r.Get("/cil/developments/{id}/money", app.cilDevelopmentMoney)
			r.Get("/cil/receipts", app.cilReceiptsList)
			r.Get("/cil/receipts.csv", app.cilReceiptsCSV)
			r.With(officer).Get("/cil/receipts/new", app.cilReceiptNew)
			r.With(officer).Post("/cil/receipts", app.cilReceiptCreate)
			r.Get("/cil/entries/{id}", app.cilEntryShow)
			r.With(officer).Post("/cil/entries/{id}/reverse", app.cilEntryReverse)
			r.With(officer).Get("/cil/entries/new", app.cilEntryNew)
			r.With(officer).Post("/cil/entries", app.cilEntryCreate)
			r.Get("/cil/projects", app.cilProjects)
			r.Get("/cil/parishes", app.cilParishesList)
			r.With(officer).Get("/cil/parishes/new", app.cilParishNew)
			r.With(officer).Post("/cil/parishes", app.cilParishCreate)
			r.Get("/cil/parishes/{code}", app.cilParishShow)
			r.With(officer).Get("/cil/parishes/{code}/edit", app.cilParishEdit)
			r.With(officer).Post("/cil/parishes/{code}", app.cilParishUpdate)
			r.With(officer).Post("/cil/parishes/{code}/dwellings", app.cilParishDwellings)
			r.With(officer).Post("/cil/parishes/{code}/recovery-notices", app.cilParishRecoveryNotice)
			r.Get("/cil/parish-payments", app.cilParishPayments)
			r.Get("/cil/parish-payments.csv", app.cilParishPaymentsCSV)
			r.With(officer).Get("/cil/parish-payments/new", app.cilParishPaymentNew)
			r.With(officer).Post("/cil/parish-payments", app.cilParishPaymentCreate)
			// The Community Infrastructure Levy: schedules, chargeable
			// developments and liability notices (issue 20, part A).
			r.Get("/cil", app.cilIndex)
			r.Get("/cil/schedules", app.cilSchedulesList)
			r.Get("/cil/schedules.csv", app.cilSchedulesCSV)
			r.With(officer).Get("/cil/schedules/new", app.cilScheduleNew)
			r.With(officer).Post("/cil/schedules", app.cilScheduleCreate)
			r.Get("/cil/schedules/{id}", app.cilScheduleShow)
			r.With(officer).Get("/cil/schedules/{id}/edit", app.cilScheduleEdit)
			r.With(officer).Post("/cil/schedules/{id}", app.cilScheduleUpdate)
			r.With(officer).Get("/cil/schedules/{id}/zones/new", app.cilZoneNew)
			r.With(officer).Post("/cil/schedules/{id}/zones", app.cilZoneSave)
			r.With(officer).Get("/cil/schedules/{id}/zones/{zoneID}/edit", app.cilZoneEdit)
			r.With(officer).Post("/cil/schedules/{id}/zones/{zoneID}", app.cilZoneSave)
			r.With(officer).Post("/cil/schedules/{id}/rates", app.cilRateSet)
			r.With(officer).Post("/cil/schedules/{id}/rates/{rateID}/remove", app.cilRateRemove)
			r.Get("/cil/developments", app.cilDevelopmentsList)
			r.Get("/cil/developments.csv", app.cilDevelopmentsCSV)
			r.With(officer).Get("/cil/developments/new", app.cilDevelopmentNew)
			r.With(officer).Post("/cil/developments", app.cilDevelopmentCreate)
			r.Get("/cil/developments/{id}", app.cilDevelopmentShow)
			r.With(officer).Get("/cil/developments/{id}/edit", app.cilDevelopmentEdit)
			r.With(officer).Post("/cil/developments/{id}", app.cilDevelopmentUpdate)
			r.With(officer).Post("/cil/developments/{id}/zones", app.cilDevelopmentPlace)
			r.Get("/cil/developments/{id}/areas", app.cilAreas)
			r.With(officer).Post("/cil/developments/{id}/areas", app.cilAreaCreate)
			r.With(officer).Post("/cil/developments/{id}/areas/{areaID}/remove", app.cilAreaRemove)
			r.With(officer).Get("/cil/developments/{id}/liability-notices/new", app.cilNoticeNew)
			r.With(officer).Post("/cil/developments/{id}/liability-notices", app.cilNoticeCreate)
			r.Get("/cil/liability-notices/{id}", app.cilNoticeShow)

			r.Get("/deadlines", app.deadlinesList)
			r.Get("/deadlines.csv", app.deadlinesCSV)
			r.With(officer).Get("/reconciliation", app.reconciliationForm)
			r.With(officer).Post("/reconciliation", app.reconciliationRun)

			// The levy's notices and liability (cil_notices.go, cil_reliefs.go;
			// issue 20 part B): everyone signed in reads; monitoring officers record.
			r.Get("/cil/developments/{id}/notices", app.cilNoticesPage)
			r.With(officer).Get("/cil/developments/{id}/parties/new", app.cilPartyNew)
			r.With(officer).Post("/cil/developments/{id}/parties", app.cilPartyCreate)
			r.With(officer).Get("/cil/developments/{id}/commencement/new", app.cilCommencementNew)
			r.With(officer).Post("/cil/developments/{id}/commencement", app.cilCommencementCreate)
			r.With(officer).Get("/cil/developments/{id}/demand-notices/new", app.cilDemandNew)
			r.With(officer).Post("/cil/developments/{id}/demand-notices", app.cilDemandCreate)
			r.With(officer).Get("/cil/developments/{id}/reliefs/new", app.cilReliefNew)
			r.With(officer).Post("/cil/developments/{id}/reliefs", app.cilReliefCreate)
			r.With(officer).Get("/cil/developments/{id}/surcharges/new", app.cilSurchargeNew)
			r.With(officer).Post("/cil/developments/{id}/surcharges", app.cilSurchargeCreate)
			r.With(officer).Get("/cil/developments/{id}/interest/new", app.cilInterestNew)
			r.With(officer).Post("/cil/developments/{id}/interest", app.cilInterestCreate)
			r.With(officer).Get("/cil/parties/{id}/withdraw", app.cilAssumptionWithdrawForm)
			r.With(officer).Post("/cil/parties/{id}/withdraw", app.cilAssumptionWithdraw)
			r.Get("/cil/commencements/{id}", app.cilCommencementShow)
			r.With(officer).Post("/cil/commencements/{id}/withdraw", app.cilCommencementWithdraw)
			r.Get("/cil/demand-notices", app.cilDemandsList)
			r.Get("/cil/demand-notices.csv", app.cilDemandsCSV)
			r.Get("/cil/demand-notices/{id}", app.cilDemandShow)
			r.Get("/cil/charges/{id}", app.cilChargeShow)
			r.With(officer).Post("/cil/charges/{id}/quash", app.cilChargeQuash)
			r.Get("/cil/reliefs", app.cilReliefsList)
			r.Get("/cil/reliefs.csv", app.cilReliefsCSV)
			r.Get("/cil/reliefs/{id}", app.cilReliefShow)
			r.With(officer).Get("/cil/reliefs/{id}/decision", app.cilReliefDecisionEdit)
			r.With(officer).Post("/cil/reliefs/{id}/decision", app.cilReliefDecisionSave)
			r.With(officer).Get("/cil/reliefs/{id}/withdraw", app.cilReliefWithdrawForm)
			r.With(officer).Post("/cil/reliefs/{id}/withdraw", app.cilReliefWithdraw)
			r.Get("/cil/instalment-policies", app.cilPoliciesList)
			r.With(officer).Get("/cil/instalment-policies/new", app.cilPolicyNew)
			r.With(officer).Post("/cil/instalment-policies", app.cilPolicyCreate)
			r.Get("/cil/base-rates", app.cilBaseRates)
			r.With(officer).Post("/cil/base-rates", app.cilBaseRateCreate)

			// Affordable homes: housing officers (and monitoring officers)
			// record them; only housing officers sign off delivery.
			homes := app.require(editHomes)
			housing := app.require(signOffHomes)
			r.Get("/homes", app.homesList)
			r.Get("/homes.csv", app.homesCSV)
			r.Get("/developments/{id}/homes", app.developmentHomes)
			r.With(homes).Get("/developments/{id}/homes/new", app.homeNew)
			r.With(homes).Post("/developments/{id}/homes", app.homeCreate)
			r.With(homes).Get("/developments/{id}/homes/generate", app.homesGenerateForm)
			r.With(homes).Post("/developments/{id}/homes/generate", app.homesGenerate)
			r.With(homes).Get("/developments/{id}/homes/import", app.homesImportForm)
			r.With(homes).Post("/developments/{id}/homes/import", app.homesImportPreview)
			r.With(homes).Post("/developments/{id}/homes/import/confirm", app.homesImportConfirm)
			r.With(homes).Post("/developments/{id}/homes/bulk", app.homesBulkEvent)
			r.With(homes).Post("/developments/{id}/links", app.developmentLinkSend)
			r.With(homes).Post("/links/{id}/revoke", app.linkRevoke)
			r.With(homes).Get("/pending", app.pendingList)
			r.With(homes).Get("/pending/{id}", app.pendingShow)
			r.With(housing).Post("/pending/{id}/decide", app.pendingDecide)
			r.With(homes).Get("/companies", app.companiesPage)
			r.With(homes).Post("/companies/check", app.companiesCheck)
			r.With(homes).Post("/companies/bulk", app.companiesBulk)
			r.With(homes).Get("/price-paid", app.pricePaidPage)
			r.With(homes).Post("/price-paid", app.pricePaidImport)
			r.With(homes).Get("/returns", app.returnsList)
			r.With(homes).Post("/returns", app.returnOpen)
			r.With(homes).Get("/returns/{year}", app.returnTracker)
			r.With(homes).Post("/returns/{year}/remind", app.returnRemind)
			r.With(homes).Get("/developments/{id}/occupation-counts/new", app.occupationCountNew)
			r.With(homes).Post("/developments/{id}/occupation-counts", app.occupationCountCreate)
			r.Get("/homes/{id}", app.homeShow)
			r.With(homes).Get("/homes/{id}/edit", app.homeEdit)
			r.With(homes).Post("/homes/{id}", app.homeUpdate)
			r.With(homes).Get("/homes/{id}/events/new", app.homeEventNew)
			r.With(homes).Post("/homes/{id}/events", app.homeEventCreate)
			r.With(homes).Get("/homes/{id}/events/{eventID}/reverse", app.homeEventReverseForm)
			r.With(homes).Post("/homes/{id}/events/{eventID}/reverse", app.homeEventReverse)
			r.Get("/lost-stock", app.lostStock)
			r.Get("/lost-stock.csv", app.lostStockCSV)

			r.Get("/providers", app.providersList)
			r.With(homes).Get("/providers/new", app.providerNew)
			r.With(homes).Post("/providers", app.providerCreate)
			r.Get("/providers/register", app.rshPage)
			r.With(homes).Post("/providers/register", app.rshImport)
			r.Get("/providers/{id}", app.providerShow)
			r.With(homes).Get("/providers/{id}/edit", app.providerEdit)
			r.With(homes).Post("/providers/{id}", app.providerUpdate)
			r.With(homes).Post("/providers/{id}/links", app.providerLinkSend)

			r.Get("/obligations/{id}/homes", app.obligationCompliance)
			r.With(homes).Get("/obligations/{id}/mix", app.mixForm)
			r.With(homes).Post("/obligations/{id}/mix", app.mixUpdate)
			r.With(housing).Post("/obligations/{id}/verify", app.obligationVerify)
			r.Get("/breaches", app.breachesList)

			// Documents and letters (documents.go, letters.go).
			// Everyone signed in reads and downloads; who may change a
			// record's documents may add, replace and archive them (homes'
			// documents: the homes team; the rest: monitoring officers),
			// checked again by each handler for the document's record.
			r.With(officer).Get("/documents/add/{kind:agreement|obligation|ledger-entry|obligation-event|project}/{id}", app.documentAddForm)
			r.With(officer).Post("/documents/add/{kind:agreement|obligation|ledger-entry|obligation-event|project}/{id}", app.documentAdd)
			r.With(homes).Get("/documents/add/{kind:home|home-event}/{id}", app.documentAddForm)
			r.With(homes).Post("/documents/add/{kind:home|home-event}/{id}", app.documentAdd)
			r.Get("/documents/search", app.documentSearch)
			r.Get("/documents/{id}", app.documentShow)
			r.Get("/documents/{id}/versions/{versionID}/file", app.documentDownload)
			r.With(homes).Post("/documents/{id}/versions", app.documentVersionAdd)
			r.With(homes).Post("/documents/{id}/archive", app.documentArchive)
			r.With(officer).Post("/documents/{id}/public", app.documentPublic)
			r.With(officer).Get("/obligations/{id}/letters/{kind}", app.letterPreview)
			r.With(officer).Post("/obligations/{id}/letters/{kind}", app.letterProduce)
			r.With(app.require(administer)).Get("/admin/letters", app.letterSettings)
			r.With(app.require(administer)).Post("/admin/letters/settings", app.letterSettingsSave)
			r.With(app.require(administer)).Get("/admin/letters/{kind}", app.letterTemplate)
			r.With(app.require(administer)).Post("/admin/letters/{kind}", app.letterTemplateSave)
			r.Get("/discharges", app.dischargeLog)
			r.Get("/discharges.csv", app.dischargeLogCSV)

			r.With(officer).Get("/agreements/{id}/publication", app.publicationForm)
			r.With(officer).Post("/agreements/{id}/publication", app.publicationUpdate)

			// Moving in and out: officers and admins import and export.
			r.Group(func(r chi.Router) {
				r.Use(app.require(useTools))
				r.Get("/imports", app.importsPage)
				r.Post("/imports", app.importsUpload)
				r.Post("/imports/check", app.importsCheck)
				r.Post("/imports/confirm", app.importsConfirm)
				r.Post("/imports/left-out.csv", app.importsLeftOut)
				r.Get("/imports/template.zip", app.importsTemplate)
				r.Get("/imports/export.zip", app.importsExport)
				r.Get("/imports/quality", app.importsQuality)
			})

			// Managers' figures and the quarterly report: everyone signed in
			// reads them.
			r.Get("/dashboard", app.dashboardShow)
			r.Get("/reports/at-risk", app.atRiskReportShow)
			r.Get("/reports/at-risk.csv", app.atRiskReportCSV)

			// Everyone signed in has their own inbox and e-mail choice;
			// admins set the rules' thresholds.
			r.Get("/alerts", app.alertsList)
			r.Get("/alerts.csv", app.alertsCSV)
			r.Get("/alerts/{id}", app.alertShow)
			r.Post("/alerts/{id}/acknowledge", app.alertAcknowledge)
			r.Get("/account/notifications", app.notificationsForm)
			r.Post("/account/notifications", app.notificationsUpdate)
			r.With(app.require(administer)).Get("/admin/alert-rules", app.alertRulesForm)
			r.With(app.require(administer)).Post("/admin/alert-rules", app.alertRulesUpdate)

			// Background jobs and the e-mail outbox: admins only.
			jobsAdmin := app.require(administer)
			r.With(jobsAdmin).Get("/admin/jobs", app.jobsList)
			r.With(jobsAdmin).Get("/admin/jobs/{name}", app.jobShow)
			r.With(jobsAdmin).Post("/admin/jobs/{name}/run", app.jobRun)
			r.With(jobsAdmin).Get("/admin/outbox", app.outboxList)
			r.With(jobsAdmin).Post("/admin/outbox/{id}/retry", app.outboxRetry)

			// Everyone signed in reads the statements; managers and admins
			// publish them.
			r.Get("/ifs", app.ifsList)
			r.Get("/ifs/infrastructure-list", app.infrastructureList)
			r.With(app.require(publishIFS)).Post("/ifs/infrastructure-list", app.infrastructureListAdd)
			r.With(app.require(publishIFS)).Post("/ifs/infrastructure-list/{id}/remove", app.infrastructureListRemove)
			r.Get("/ifs/{year}", app.ifsShow)
			r.Get("/ifs/{year}/statement.csv", app.ifsCSV)
			r.Get("/ifs/{year}/published/{file}", app.ifsPublishedFile)
			r.With(app.require(publishIFS)).Get("/ifs/{year}/publish", app.ifsPublishConfirm)
			r.With(app.require(publishIFS)).Post("/ifs/{year}/publish", app.ifsPublish)
			r.With(app.require(markBorrowing)).Post("/ifs/{year}/borrowing", app.ifsBorrowing)

			r.Get("/data-standard", app.dataStandardPage)
			r.Get("/data-standard/{file}", app.dataStandardFile)

			r.With(app.require(useTools)).Get("/admin", app.adminIndex)
			r.Route("/admin/indices", func(r chi.Router) {
				r.Use(app.require(useTools))
				r.Get("/", app.indicesList)
				r.Get("/{code}", app.indexShow)
				r.Post("/{code}/values", app.indexValueCreate)
				r.Post("/{code}/upload", app.indexUpload)
			})

			r.Route("/admin/tenures", func(r chi.Router) {
				r.Use(app.require(administer))
				r.Get("/", app.tenuresList)
				r.Post("/", app.tenureCreate)
			})

			r.Route("/admin/purposes", func(r chi.Router) {
				r.Use(app.require(administer))
				r.Get("/", app.purposesList)
				r.Post("/", app.purposeCreate)
			})

			r.Route("/admin/users", func(r chi.Router) {
				r.Use(app.require(administer))
				r.Get("/", app.usersList)
				r.Get("/new", app.userNew)
				r.Post("/", app.userCreate)
				r.Get("/{id}", app.userShow)
				r.Post("/{id}", app.userUpdate)
				r.Post("/{id}/disabled", app.userSetDisabled)
				r.Post("/{id}/password", app.userResetPassword)
				r.Post("/{id}/sessions/end", app.userEndSessions)
				r.Post("/{id}/locks/clear", app.userClearLocks)
				r.Post("/{id}/ward", app.userSetWard)
			})
			// The security log (sign-ins, lockouts, refusals): administrators
			// only, since it holds addresses typed by anyone.
			r.With(app.require(administer)).Get("/admin/sso", app.ssoAdmin)
			r.With(app.require(administer)).Post("/admin/sso/mappings", app.ssoMappingAdd)
			r.With(app.require(administer)).Post("/admin/sso/mappings/{id}/remove", app.ssoMappingRemove)
			r.With(app.require(administer)).Get("/admin/security", app.securityLog)
			r.With(app.require(administer)).Post("/admin/security/locks/clear", app.securityClearLocks)
			r.With(app.require(administer)).Get("/admin/users.csv", app.usersCSV)
			// API tokens (api_tokens.go): administrators issue and revoke them.
			r.With(app.require(administer)).Get("/admin/api-tokens", app.apiTokensPage)
			r.With(app.require(administer)).Post("/admin/api-tokens", app.apiTokenIssue)
			r.With(app.require(administer)).Post("/admin/api-tokens/{id}/revoke", app.apiTokenRevoke)
		})
	})
	return r
}
