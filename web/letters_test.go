package web

import (
	"bytes"
	"fmt"
	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/fixture"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// letterSite is a docSite with an index-linked education contribution,
// its trigger met and an invoice issued through the ledger form.
func letterSite(t *testing.T) (docSite, int64) {
	t.Helper()
	s := newDocSite(t)
	ob := agObligation(t, s.app, s.agreementID, "financial", "4.2", "Pay the Education Contribution", fixture.Obligation{
		Amount: "287500.00", Index: "bcis-tpi", BaseDate: "2019-04-01", DueDays: 28, DueFrom: "invoice", ContactEmail: "finance@acme.example"})
	f := appFixture(t, s.app)
	f.IndexValue("bcis-tpi", "2019-04-01", "324.0")
	f.IndexValue("bcis-tpi", "2025-04-01", "391.7")
	f.TriggerMet(ob, "2025-05-01", "notice")
	res := projPost(t, s.ts, fmt.Sprintf("/obligations/%d/invoices", ob), url.Values{
		"date-day": {"2"}, "date-month": {"6"}, "date-year": {"2025"}, "calc_date-day": {"1"}, "calc_date-month": {"4"}, "calc_date-year": {"2025"}, "reference": {"INV-2025-0042"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("invoice: %d\n%s", res.status, excerpt(res.body))
	}
	return s, ob
}

func TestOfficerPreviewsAndProducesAnInvoiceLetterAndEmailsIt(t *testing.T) {
	t.Parallel()
	s, ob := letterSite(t)
	page := s.ts.get(t, fmt.Sprintf("/obligations/%d", ob))
	if obPage := htmltest.Parse(t, page.body); !obPage.HasExactText("h3", "Write a letter") ||
		!obPage.Has(fmt.Sprintf("h3 + ul.govuk-list a[href='/obligations/%d/letters/invoice']", ob)) {
		t.Errorf("the obligation page does not offer the invoice letter\n%s", excerpt(page.body))
	}

	path := fmt.Sprintf("/obligations/%d/letters/invoice", ob)
	preview := s.ts.get(t, path)
	pageSays(t, "invoice preview", htmltest.Parse(t, preview.body), "main", "Invoice INV-2025-0042: 21/AP/0042, Elm Road", "Base amount: £287,500.00",
		"Calculation: £287,500.00 × 391.7 ÷ 324.0 = £347,573.30", "Amount due: £347,573.30", "Please pay by 30 June 2025",
		"The obligation's contact is finance@acme.example")
	if res := projPost(t, s.ts, path, url.Values{"email": {"not an address"}}); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#email']", "Enter an e-mail address in the correct format") ||
		htmltest.Parse(t, res.body).Attr("input[name='email']", "value") != "not an address" {
		t.Fatalf("bad address: %d", res.status)
	}
	res := projPost(t, s.ts, path, url.Values{"email": {"finance@acme.example"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/documents/") {
		t.Fatalf("produce: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	doc := s.ts.get(t, res.header.Get("Location"))
	letterDoc := htmltest.Parse(t, doc.body)
	pageSays(t, "letter's document page", letterDoc, "main", "Produced the Invoice", "Ledger entry")
	pageSays(t, "letter's document page", letterDoc, "main td", "invoice-2025-06-15.pdf")
	var body, to string
	if err := s.app.DB.Pool.QueryRow(t.Context(), `SELECT recipient, body FROM mail_outbox WHERE idempotency_key LIKE 'letter:%'`).Scan(&to, &body); err != nil {
		t.Fatal(err)
	}
	if to != "finance@acme.example" || !strings.Contains(body, "Amount due: £347,573.30") {
		t.Errorf("e-mail to %s:\n%s", to, body)
	}
	// The PDF's text carries the same working.
	var sum []byte
	if err := s.app.DB.Pool.QueryRow(t.Context(), `SELECT v.sha256 FROM document_versions v JOIN letters l ON l.document_id = v.document_id`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	if err := s.app.Documents.WriteContent(t.Context(), sum, &pdf); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(documents.PDFText(bytes.NewReader(pdf.Bytes()), int64(pdf.Len()))), " ")
	// A PDF is not HTML: its extracted text is searched as text.
	for _, want := range []string{"Calculation: £287,500.00 × 391.7 ÷ 324.0 = £347,573.30", "Amount due: £347,573.30"} {
		if !strings.Contains(text, want) {
			t.Errorf("invoice PDF lacks %q\n%s", want, text)
		}
	}
	// A letter the record does not support says why.
	if res := s.ts.get(t, fmt.Sprintf("/obligations/%d/letters/discharge-confirmation", ob)); !htmltest.Parse(t, res.body).HasText("main", "The obligation has not been discharged") {
		t.Errorf("discharge letter before discharge: %d", res.status)
	}
}

func TestAdminEditsLetterWordingWithPreviewAndRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	app, _, _ := agServer(t)
	app.Now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)

	page := ts.get(t, "/admin/letters/payment-reminder")
	wording := htmltest.Parse(t, page.body)
	pageSays(t, "wording page", wording, "main p", "The built-in wording is in use.")
	pageSays(t, "wording page", wording, "main", "{{.AmountOutstanding}}", "{{.DaysOverdue}}", "£347,573.30")
	pageSays(t, "wording page", wording, "main h2", "Preview, with example figures")
	bad := url.Values{"subject": {"Reminder"}, "body": {"Dear {{.Customer}}"}, "base": {"0"}, "action": {"save"}}
	res := projPost(t, ts, "/admin/letters/payment-reminder", bad)
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!form.HasText(".govuk-error-summary__list a[href='#body']", "uses {{.Customer}}, which is not a field this letter can use") ||
		form.ValueByID("body") != "Dear {{.Customer}}" {
		t.Fatalf("unknown field: %d\n%s", res.status, excerpt(res.body))
	}
	good := url.Values{"subject": {"Unpaid: {{.InvoiceNumber}}"}, "body": {"Please pay {{.AmountOutstanding}} today."}, "base": {"0"}, "action": {"preview"}}
	res = projPost(t, ts, "/admin/letters/payment-reminder", good)
	pageSays(t, "preview", htmltest.Parse(t, res.body), "main", "Unpaid: INV-2026-0042", "Please pay £347,573.30 today.")
	good.Set("action", "save")
	if res := projPost(t, ts, "/admin/letters/payment-reminder", good); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, excerpt(res.body))
	}
	page = ts.get(t, "/admin/letters/payment-reminder")
	saved := htmltest.Parse(t, page.body)
	if saved.Text(".govuk-notification-banner__heading") != "Saved version 1 of the Payment reminder wording" ||
		!saved.HasExactText("main p.govuk-body", "Version 1 is in use. Saving adds a version; earlier versions are kept below.") || !saved.HasExactText("main h2", "Earlier versions") {
		t.Errorf("after saving:\n%s", excerpt(page.body))
	}
	// A second admin saving from the built-in wording is told of the conflict.
	if res := projPost(t, ts, "/admin/letters/payment-reminder", good); res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__body p", "Someone else changed this record") {
		t.Errorf("stale save: %d", res.status)
	}

	// The letterhead.
	res = projPost(t, ts, "/admin/letters/settings", url.Values{"council_name": {""}, "signatory_name": {"Sam"}, "version": {"1"}})
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#council_name']", "Enter the council's name") {
		t.Fatalf("letterhead without a name: %d", res.status)
	}
	res = projPost(t, ts, "/admin/letters/settings", url.Values{"council_name": {"Wessex Vale District Council"}, "address": {"Civic Centre\nWV1 1AA"}, "signatory_name": {"Sam Officer"}, "version": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("letterhead: %d\n%s", res.status, excerpt(res.body))
	}
}

func TestDischargeLogListsEachDischargeWithItsConfirmationAndExportsAPeriod(t *testing.T) {
	t.Parallel()
	s := newDocSite(t)
	ctx := t.Context()
	mk := func(clause string) int64 {
		return agObligation(t, s.app, s.agreementID, "works-in-kind", clause, "Build the footpath "+clause, fixture.Obligation{})
	}
	f := appFixture(t, s.app)
	discharged := func(ob int64, on string) int64 {
		day := f.Date(on)
		e, err := f.Register.RecordEvent(ctx, f.Actor, ob, agreements.EventInput{Kind: agreements.EventDischarged, Date: &day, Note: "entered"})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	confirmed, unconfirmed, reversed, earlier := mk("7.1"), mk("7.2"), mk("7.3"), mk("7.4")
	discharged(confirmed, "2025-05-10")
	discharged(unconfirmed, "2025-06-01")
	if _, err := f.Register.ReverseEvent(ctx, f.Actor, reversed, discharged(reversed, "2025-05-20"), "entered in error"); err != nil {
		t.Fatal(err)
	}
	discharged(earlier, "2024-12-01")
	if res := projPost(t, s.ts, fmt.Sprintf("/obligations/%d/letters/discharge-confirmation", confirmed), url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("confirmation: %d\n%s", res.status, excerpt(res.body))
	}
	// The app's clock is 15 June 2025: the financial year 2025-26.
	page := s.ts.get(t, "/discharges")
	dischargeLog := htmltest.Parse(t, page.body)
	pageSays(t, "discharge log", dischargeLog, "main", "2 obligations discharged from 1 April 2025 to 31 March 2026")
	pageSays(t, "discharge log", dischargeLog, "main td", "10 May 2025", "Clause 7.1", "Sent 15 June 2025", "1 June 2025", "Clause 7.2", "Not sent")
	// Absent anywhere in the page's bytes: stricter than asking one element.
	for _, gone := range []string{"Clause 7.3", "Clause 7.4"} {
		if strings.Contains(page.body, gone) {
			t.Errorf("the log lists %s (reversed, or outside the period)", gone)
		}
	}
	csv := s.ts.get(t, "/discharges.csv?from-day=1&from-month=12&from-year=2024&to-day=31&to-month=5&to-year=2025")
	lines := strings.Split(strings.TrimSpace(csv.body), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "2024-12-01,21/AP/0042,Elm Road,7.4,") || !strings.HasPrefix(lines[2], "2025-05-10,21/AP/0042,Elm Road,7.1,") ||
		!strings.Contains(lines[2], ",2025-06-15,http://localhost/documents/") {
		t.Errorf("CSV:\n%s", csv.body)
	}
	if res := s.ts.get(t, "/discharges?from-day=1&from-month=6&from-year=2025&to-day=1&to-month=5&to-year=2025"); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a", "To must be the same as or after From") {
		t.Errorf("backwards period: %d", res.status)
	}
}
