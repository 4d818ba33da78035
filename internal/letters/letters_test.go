package letters

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	pngenc "image/png"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/documents/doctest"
	build "github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// today is the clock of these tests.
var today = time.Date(2024, 6, 20, 12, 0, 0, 0, time.UTC)

var actor = audit.Actor{Label: "test"}

type fixture struct {
	t    *testing.T
	svc  *Service
	ctx  context.Context
	agID int64
	fx   *build.Builder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testdb.New(t)
	now := func() time.Time { return today }
	docs := &documents.Service{DB: db, MaxBytes: 10 << 20, Now: now}
	f := &fixture{t: t, ctx: context.Background(), svc: &Service{DB: db, Ledger: &ledger.Service{DB: db, Now: now}, Documents: docs, CouncilName: "Wessex Vale District Council", Now: now}}
	f.exec(`UPDATE letter_settings SET council_name = 'Wessex Vale District Council', address = E'Civic Centre\nValley Road\nWV1 1AA', signatory_name = 'Sam Officer', signatory_title = 'Planning Obligations Officer'`)
	f.fx = build.New(t, db, now)
	dev := f.fx.Development(build.Development{Name: "Elm Road", Address: "Land at Elm Road", Postcode: "WV2 3AB"})
	f.agID = f.fx.Agreement(build.Agreement{Reference: "19/00412/S106", DevelopmentID: dev.ID, Signed: "2019-05-01",
		Parties: []agreements.PartyInput{{Role: "developer", Name: "Acme Homes Ltd"}}}).ID
	f.fx.IndexValue("bcis-tpi", "2019-04-01", "324.0")
	f.fx.IndexValue("bcis-tpi", "2024-04-01", "391.7")
	return f
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.svc.DB.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) scan(sql string, dest any, args ...any) {
	f.t.Helper()
	if err := f.svc.DB.Pool.QueryRow(f.ctx, sql, args...).Scan(dest); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// obligation adds a money obligation of kind, index-linked to BCIS from
// April 2019 when indexed, payable 28 days from invoice, spent within 60
// months of receipt.
func (f *fixture) obligation(kind, base string, indexed bool) int64 {
	f.t.Helper()
	o := build.Obligation{Kind: kind, Clause: "4.2", Description: "Pay the Education Contribution towards Elm Road Primary School",
		Amount: base, BaseDate: "2019-04-01", DueDays: 28, DueFrom: "invoice", SpendByMonths: 60, ServiceArea: "Education"}
	if indexed {
		o.Index = "bcis-tpi"
	}
	id := f.fx.Obligation(f.agID, o).ID
	f.fx.TriggerMet(id, "2024-05-01", "notice")
	return id
}

// discharged records that an obligation was discharged on 14 June 2024.
func (f *fixture) discharged(obligationID int64, evidence string) {
	f.t.Helper()
	on := f.fx.Date("2024-06-14")
	if _, err := f.fx.Register.RecordEvent(f.ctx, actor, obligationID, agreements.EventInput{Kind: agreements.EventDischarged, Date: &on, Evidence: evidence}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) invoice(obligationID int64, on time.Time, ref string) ledger.Entry {
	f.t.Helper()
	calc := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	e, err := f.svc.Ledger.IssueInvoice(f.ctx, actor, obligationID, ledger.InvoiceInput{Date: &on, CalcDate: &calc, Reference: ref})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// produce makes the letter and returns the text read back from its PDF.
func (f *fixture) produce(kind Kind, obligationID int64) (string, documents.Document) {
	f.t.Helper()
	_, doc, err := f.svc.Produce(f.ctx, actor, kind, obligationID, "")
	if err != nil {
		f.t.Fatalf("produce %s: %v", kind, err)
	}
	var pdf bytes.Buffer
	if err := f.svc.Documents.WriteContent(f.ctx, doc.Latest.SHA256, &pdf); err != nil {
		f.t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		f.t.Fatalf("%s is not a PDF", kind)
	}
	// The text layer, with the layout's line breaks folded to spaces.
	text := documents.PDFText(bytes.NewReader(pdf.Bytes()), int64(pdf.Len()))
	return strings.Join(strings.Fields(text), " "), doc
}

func mustHave(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q\n%s", what, w, text)
		}
	}
}

func TestInvoiceLetterShowsTheIndexationWorkingToThePenny(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation("financial", "287500.00", true)
	inv := f.invoice(ob, time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), "INV-2024-0042")
	// The figure the letter must show is the ledger's own calculation.
	want := ledger.IndexedAmount(decimal.RequireFromString("287500.00"), decimal.RequireFromString("324.0"), decimal.RequireFromString("391.7"))
	if !inv.Amount.Equal(want) || want.StringFixed(2) != "347573.30" {
		t.Fatalf("invoice amount %s, indexed %s", inv.Amount, want)
	}
	text, doc := f.produce(Invoice, ob)
	mustHave(t, "invoice PDF", text,
		"Wessex Vale District Council", "Civic Centre", "Acme Homes Ltd", "Invoice INV-2024-0042: 19/00412/S106, Elm Road",
		"Base amount: £287,500.00", "Index: BCIS All-in Tender Price Index",
		"Base index value: 324.0 (April 2019)", "Current index value: 391.7 (April 2024)",
		"Calculation: £287,500.00 × 391.7 ÷ 324.0 = "+money.Format(want),
		"Amount due: £347,573.30", "Please pay by 1 July 2024", "Sam Officer", "Planning Obligations Officer")
	// Kept as a document of the invoice entry, and recorded.
	if doc.Subject != (documents.Subject{Kind: documents.SubjectLedgerEntry, ID: inv.ID}) || doc.Latest.ContentType != "application/pdf" {
		t.Errorf("letter kept on %+v as %s", doc.Subject, doc.Latest.ContentType)
	}
	var n int
	f.scan(`SELECT count(*) FROM letters WHERE kind = 'invoice' AND ledger_entry_id = $1 AND document_id = $2`, &n, inv.ID, doc.ID)
	if n != 1 {
		t.Error("the letter was not recorded")
	}
}

func TestMonitoringFeeInvoiceWithoutIndexation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation("monitoring-fee", "1250.00", false)
	f.invoice(ob, time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), "MF-7")
	text, _ := f.produce(MonitoringFeeInvoice, ob)
	mustHave(t, "monitoring fee PDF", text, "Monitoring fee invoice MF-7", "Base amount: £1,250.00", "The amount is not index-linked.", "Amount due: £1,250.00", "Please pay by 1 July 2024")
	if _, err := f.svc.Prepare(f.ctx, Invoice, ob); !errors.As(err, new(*ErrNotApplicable)) {
		t.Errorf("an ordinary invoice for a monitoring fee: %v", err)
	}
}

func TestRemindersNameWhatIsOutstandingAndHowLate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation("financial", "287500.00", true)
	f.invoice(ob, time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), "INV-2024-0040") // due 3 June 2024, 17 days before today
	for _, c := range []struct {
		kind Kind
		want []string
	}{
		{PaymentReminder, []string{"Reminder: invoice INV-2024-0040 is unpaid", "of 6 May 2024 for £347,573.30", "due for payment on 3 June 2024", "£347,573.30 is still outstanding (17 days overdue)"}},
		{FinalReminder, []string{"Final reminder: invoice INV-2024-0040 is unpaid", "£347,573.30 remains unpaid", "due on 3 June 2024"}},
	} {
		text, _ := f.produce(c.kind, ob)
		mustHave(t, string(c.kind), text, c.want...)
	}
}

func TestSpendByNoticeAndDischargeConfirmation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.obligation("financial", "100000.00", false)
	f.fx.ReceivePayment("2020-03-02", build.Payment{Payer: "Acme Homes Ltd"}, build.Share{ObligationID: ob, Amount: "100000"})
	text, _ := f.produce(SpendByNotice, ob)
	mustHave(t, "spend-by notice", text, "Spend by 2 March 2025: 19/00412/S106", "To: Education", "received £100,000.00 on 2 March 2020", "£100,000.00 of it is not yet spent")

	if _, err := f.svc.Prepare(f.ctx, DischargeConfirmation, ob); !errors.As(err, new(*ErrNotApplicable)) {
		t.Errorf("confirmation before discharge: %v", err)
	}
	f.discharged(ob, "completion certificate")
	text, doc := f.produce(DischargeConfirmation, ob)
	mustHave(t, "discharge confirmation", text, "Obligation discharged: 19/00412/S106, clause 4.2", "was discharged on 14 June 2024")
	if doc.Subject.Kind != documents.SubjectObligationEvent {
		t.Errorf("confirmation kept on %+v, want the discharge event", doc.Subject)
	}
}

func TestAdminWordingIsCheckedVersionedAndUsed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bad := []struct {
		body, want string
	}{
		{"Dear {{.Recipient}}", "uses {{.Recipient}}, which is not a field this letter can use"},
		{`{{printf "%s" .AmountDue}}`, "only fields like"},
		{`{{range .AmountDue}}x{{end}}`, "only fields like"},
		{`{{define "x"}}y{{end}}`, "may not define other templates"},
		{"Pay {{.AmountDue", "cannot be read"},
	}
	for _, b := range bad {
		_, err := f.svc.SaveTemplate(f.ctx, actor, Template{Kind: Invoice, Subject: "Invoice", Body: b.body}, 0)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: %v, want %q", b.body, err, b.want)
		}
	}
	saved, err := f.svc.SaveTemplate(f.ctx, actor, Template{Kind: Invoice, Subject: "Invoice {{.InvoiceNumber}}", Body: "To {{.RecipientName}}: pay {{.AmountDue}}{{if .DueDate}} by {{.DueDate}}{{end}}."}, 0)
	if err != nil || saved.Version != 1 {
		t.Fatalf("save: %v (version %d)", err, saved.Version)
	}
	if _, err := f.svc.SaveTemplate(f.ctx, actor, Template{Kind: Invoice, Subject: "x", Body: "y"}, 0); err == nil {
		t.Error("a save based on the built-in wording after version 1 was not a conflict")
	}
	ob := f.obligation("financial", "287500.00", true)
	f.invoice(ob, time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), "INV-9")
	text, _ := f.produce(Invoice, ob)
	mustHave(t, "invoice from edited wording", text, "To Acme Homes Ltd: pay £347,573.30 by 1 July 2024.")
	var v int
	f.scan(`SELECT template_version FROM letters`, &v)
	if v != 1 {
		t.Errorf("letter records wording version %d, want 1", v)
	}
	// The built-in wordings all pass the check.
	for _, k := range Kinds {
		if p := Defaults[k].Check(); len(p) > 0 {
			t.Errorf("built-in %s: %v", k, p[0])
		}
	}
}

func TestLetterheadLogoIsPrintedAndOnlyAnImageIsAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := 0; x < 40; x++ {
		img.Set(x, x/2, color.RGBA{0, 0x30, 0x78, 0xff})
	}
	var png bytes.Buffer
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	st, _ := f.svc.Settings(f.ctx)
	in := SettingsInput{CouncilName: st.CouncilName, Address: st.Address, SignatoryName: st.SignatoryName, Version: st.Version,
		Logo: &documents.Upload{FileName: "logo.pdf", Body: bytes.NewReader(doctest.PDF(t, "not an image"))}}
	var errs *forms.Errors
	if err := f.svc.SaveSettings(f.ctx, actor, in); !errors.As(err, &errs) || !strings.Contains(errs.Get("logo"), "must be a PNG or JPEG") {
		t.Fatalf("a PDF as the logo: %v", err)
	}
	in.Logo = &documents.Upload{FileName: "logo.png", Body: bytes.NewReader(png.Bytes())}
	if err := f.svc.SaveSettings(f.ctx, actor, in); err != nil {
		t.Fatal(err)
	}
	ob := f.obligation("financial", "1000.00", false)
	f.discharged(ob, "done")
	l, err := f.svc.Prepare(f.ctx, DischargeConfirmation, ob)
	if err != nil {
		t.Fatal(err)
	}
	logo, err := f.svc.logo(f.ctx, l.Settings)
	if err != nil || !bytes.Equal(logo, png.Bytes()) {
		t.Fatalf("logo read back: %d bytes, %v", len(logo), err)
	}
	pdf, err := RenderPDF(l, logo)
	if err != nil || !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Errorf("the letter has no image (%v)", err)
	}
	// A stale letterhead edit is refused.
	in.Logo = nil
	if err := f.svc.SaveSettings(f.ctx, actor, in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale letterhead edit: %v", err)
	}
}
