package letters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/ledger"
	mailer "github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// Service fills, produces and keeps letters.
type Service struct {
	DB        *store.DB
	Ledger    *ledger.Service
	Documents *documents.Service
	// CouncilName is the council's name when the letter settings have none.
	CouncilName string
	Now         func() time.Time
}

// Letter is a letter filled from the record, ready to preview or print.
type Letter struct {
	Kind         Kind
	ObligationID int64
	// EntryID is the invoice the letter is about; EventID the discharge it
	// confirms. The PDF is kept as a document of that record, else of the
	// obligation.
	EntryID         int64
	EventID         int64
	Date            time.Time
	Settings        Settings
	TemplateVersion int
	Fields          map[string]string
	Subject         string
	Paragraphs      []string
	// ContactEmail is where the obligation's contact is reached, offered
	// as the address to e-mail the letter to.
	ContactEmail string
}

// ErrNotApplicable says why a kind of letter cannot be written for an
// obligation (no invoice to remind about, nothing discharged…).
type ErrNotApplicable struct{ Reason string }

func (e *ErrNotApplicable) Error() string { return e.Reason }

// record is what every letter says about its obligation.
type record struct {
	kind, clause, description, purpose, serviceArea, contactEmail string
	agreementRef, developmentName, developmentAddress, recipient  string
}

func readRecord(ctx context.Context, q store.Querier, obligationID int64) (record, error) {
	var r record
	err := q.QueryRow(ctx, `
		SELECT o.kind, o.clause_ref, o.description, coalesce(p.name, o.purpose_code), o.service_area, o.contact_email,
		       a.reference, d.name, concat_ws(', ', nullif(d.address, ''), nullif(d.postcode, '')),
		       coalesce((SELECT org.name FROM agreement_parties ap JOIN organisations org ON org.id = ap.organisation_id
		                 WHERE ap.agreement_id = a.id ORDER BY ap.party_role <> 'developer', ap.party_role <> 'owner', ap.position LIMIT 1), 'Sir or Madam')
		FROM obligations o JOIN agreements a ON a.id = o.agreement_id JOIN developments d ON d.id = a.development_id
		LEFT JOIN contribution_purposes p ON p.code = o.purpose_code
		WHERE o.id = $1`, obligationID).Scan(&r.kind, &r.clause, &r.description, &r.purpose, &r.serviceArea, &r.contactEmail,
		&r.agreementRef, &r.developmentName, &r.developmentAddress, &r.recipient)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, store.ErrNotFound
	}
	return r, err
}

// dateText is how letters write a date.
func dateText(t time.Time) string { return t.Format("2 January 2006") }

func optionalDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dateText(*t)
}

// Applicable lists the kinds of letter an obligation's record supports
// now, in the order of Kinds.
func (s *Service) Applicable(ctx context.Context, obligationID int64) ([]Kind, error) {
	var out []Kind
	for _, k := range Kinds {
		_, err := s.Prepare(ctx, k, obligationID)
		var na *ErrNotApplicable
		switch {
		case errors.As(err, &na):
		case err != nil:
			return nil, err
		default:
			out = append(out, k)
		}
	}
	return out, nil
}

// Prepare fills a kind of letter for an obligation from its record and
// the current wording. Invoice figures are those recorded on the invoice
// entry, as the ledger calculated them when it was issued: a letter never
// works them out again.
func (s *Service) Prepare(ctx context.Context, kind Kind, obligationID int64) (Letter, error) {
	if !kind.Valid() {
		return Letter{}, store.ErrNotFound
	}
	rec, err := readRecord(ctx, s.DB.Pool, obligationID)
	if err != nil {
		return Letter{}, err
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return Letter{}, err
	}
	tmpl, err := s.CurrentTemplate(ctx, kind)
	if err != nil {
		return Letter{}, err
	}
	today := s.Ledger.Today()
	l := Letter{Kind: kind, ObligationID: obligationID, Date: today, Settings: settings, TemplateVersion: tmpl.Version, ContactEmail: rec.contactEmail}
	f := map[string]string{}
	for _, fl := range kind.Fields() {
		f[fl.Name] = ""
	}
	f["CouncilName"], f["Today"], f["RecipientName"] = settings.CouncilName, dateText(today), rec.recipient
	f["AgreementReference"], f["DevelopmentName"], f["DevelopmentAddress"] = rec.agreementRef, rec.developmentName, rec.developmentAddress
	f["ClauseRef"], f["ObligationDescription"], f["Purpose"], f["ServiceArea"] = orDash(rec.clause), rec.description, rec.purpose, orDefault(rec.serviceArea, "the service area responsible")
	f["Signatory"], f["SignatoryTitle"] = settings.SignatoryName, settings.SignatoryTitle

	switch kind {
	case Invoice, MonitoringFeeInvoice, PaymentReminder, FinalReminder:
		if err := s.fillInvoice(ctx, &l, rec, f, today); err != nil {
			return l, err
		}
	case SpendByNotice:
		if err := s.fillSpendBy(ctx, obligationID, f); err != nil {
			return l, err
		}
	case DischargeConfirmation:
		var on time.Time
		err := s.DB.Pool.QueryRow(ctx, `
			SELECT e.id, e.event_date FROM obligation_events e
			WHERE e.obligation_id = $1 AND e.kind = 'discharged' AND NOT EXISTS (SELECT 1 FROM obligation_events r WHERE r.reverses_id = e.id)
			ORDER BY e.event_date DESC, e.id DESC LIMIT 1`, obligationID).Scan(&l.EventID, &on)
		if errors.Is(err, pgx.ErrNoRows) {
			return l, &ErrNotApplicable{"The obligation has not been discharged: record its discharge first"}
		}
		if err != nil {
			return l, err
		}
		f["DischargedOn"] = dateText(on)
	}
	l.Fields = f
	l.Subject, l.Paragraphs, err = tmpl.Fill(f)
	return l, err
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// fillInvoice fills an invoice's or a reminder's figures from the
// obligation's latest standing invoice.
func (s *Service) fillInvoice(ctx context.Context, l *Letter, rec record, f map[string]string, today time.Time) error {
	switch {
	case l.Kind == Invoice && rec.kind != "financial":
		return &ErrNotApplicable{"An invoice is for a financial contribution; use the monitoring fee invoice for a monitoring fee"}
	case l.Kind == MonitoringFeeInvoice && rec.kind != "monitoring-fee":
		return &ErrNotApplicable{"A monitoring fee invoice is for a monitoring fee obligation"}
	}
	led, err := s.Ledger.Ledger(ctx, l.ObligationID)
	if err != nil {
		return err
	}
	var inv *ledger.Entry
	for i := range led.Lines {
		e := led.Lines[i].Entry
		if e.Kind == ledger.KindInvoice && e.ReversedByID == nil && e.ReversesID == nil {
			inv = &led.Lines[i].Entry
		}
	}
	if inv == nil {
		return &ErrNotApplicable{"No invoice has been recorded for this obligation: issue the invoice in the ledger first"}
	}
	l.EntryID = inv.ID
	f["InvoiceNumber"], f["InvoiceDate"], f["AmountDue"], f["DueDate"] = inv.Reference, dateText(inv.Date), money.Format(inv.Amount), optionalDate(inv.DueDate)
	base := inv.Amount
	if inv.BaseAmount != nil {
		base = *inv.BaseAmount
	}
	f["BaseAmount"] = money.Format(base)
	if inv.IndexSeries != "" && inv.BaseIndexValue != nil && inv.CalcIndexValue != nil {
		series, err := s.Ledger.GetIndexSeries(ctx, inv.IndexSeries)
		if err != nil {
			return err
		}
		f["IndexSeries"] = series.Name
		if inv.BaseIndexDate != nil {
			f["BaseIndexDate"] = ledger.MonthLabel(*inv.BaseIndexDate)
		} else {
			f["BaseIndexDate"] = "as stated in the agreement"
		}
		f["BaseIndexValue"], f["CurrentIndexValue"] = ledger.FormatIndex(*inv.BaseIndexValue), ledger.FormatIndex(*inv.CalcIndexValue)
		if inv.CalcIndexDate != nil {
			f["CurrentIndexDate"] = ledger.MonthLabel(*inv.CalcIndexDate)
		}
		calculated := inv.Amount
		if inv.CalculatedAmount != nil {
			calculated = *inv.CalculatedAmount
		}
		f["Calculation"] = money.Format(base) + " × " + f["CurrentIndexValue"] + " ÷ " + f["BaseIndexValue"] + " = " + money.Format(calculated)
		if inv.OverrideReason != "" {
			f["Calculation"] += "; amount invoiced " + money.Format(inv.Amount) + " (" + inv.OverrideReason + ")"
		}
	}
	if l.Kind == PaymentReminder || l.Kind == FinalReminder {
		outstanding := led.Balances.Invoiced.Sub(led.Balances.Received)
		if !outstanding.IsPositive() {
			return &ErrNotApplicable{"Nothing is outstanding: the invoices have been paid"}
		}
		if inv.DueDate == nil || !today.After(*inv.DueDate) {
			return &ErrNotApplicable{"The invoice is not yet overdue"}
		}
		f["AmountOutstanding"] = money.Format(outstanding)
		days := int(today.Sub(*inv.DueDate).Hours() / 24)
		f["DaysOverdue"] = strconv.Itoa(days) + map[bool]string{true: " day", false: " days"}[days == 1]
	}
	return nil
}

// fillSpendBy fills a spend-by notice from the obligation's receipt with
// money unspent and the soonest deadline.
func (s *Service) fillSpendBy(ctx context.Context, obligationID int64, f map[string]string) error {
	led, err := s.Ledger.Ledger(ctx, obligationID)
	if err != nil {
		return err
	}
	var share *ledger.Share
	for i, sh := range led.Shares {
		if sh.Deadline != nil && sh.Unspent.IsPositive() && (share == nil || sh.Deadline.Before(*share.Deadline)) {
			share = &led.Shares[i]
		}
	}
	if share == nil {
		return &ErrNotApplicable{"No money received for this obligation is unspent with a spend-by date"}
	}
	f["ReceivedOn"], f["AmountReceived"], f["Unspent"], f["SpendByDate"] = dateText(share.ReceivedOn), money.Format(share.Amount), money.Format(share.Unspent), dateText(*share.Deadline)
	return nil
}

// Produce writes the letter as a PDF, keeps it as a document of the
// record it concerns, records it and, when emailTo is given, queues an
// e-mail with its text. All in one transaction with its audit event.
func (s *Service) Produce(ctx context.Context, actor audit.Actor, kind Kind, obligationID int64, emailTo string) (Letter, documents.Document, error) {
	emailTo = strings.TrimSpace(emailTo)
	if emailTo != "" {
		if a, err := mail.ParseAddress(emailTo); err != nil || a.Address != emailTo {
			errs := &forms.Errors{}
			errs.Add("email", "Enter an e-mail address in the correct format, like name@example.com")
			return Letter{}, documents.Document{}, errs
		}
	}
	l, err := s.Prepare(ctx, kind, obligationID)
	if err != nil {
		return l, documents.Document{}, err
	}
	logo, err := s.logo(ctx, l.Settings)
	if err != nil {
		return l, documents.Document{}, err
	}
	pdf, err := RenderPDF(l, logo)
	if err != nil {
		return l, documents.Document{}, err
	}
	subject := documents.Subject{Kind: documents.SubjectObligation, ID: obligationID}
	switch {
	case l.EntryID != 0:
		subject = documents.Subject{Kind: documents.SubjectLedgerEntry, ID: l.EntryID}
	case l.EventID != 0:
		subject = documents.Subject{Kind: documents.SubjectObligationEvent, ID: l.EventID}
	}
	title := kind.Label() + " " + dateText(l.Date)
	fileName := string(kind) + "-" + l.Date.Format("2006-01-02") + ".pdf"
	var doc documents.Document
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		doc, err = s.Documents.AddInTx(ctx, tx, actor, subject, title, documents.Upload{FileName: fileName, Body: bytes.NewReader(pdf)})
		if err != nil {
			return err
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		var entryID, eventID *int64
		if l.EntryID != 0 {
			entryID = &l.EntryID
		}
		if l.EventID != 0 {
			eventID = &l.EventID
		}
		var letterID int64
		if err := tx.QueryRow(ctx, `INSERT INTO letters (kind, obligation_id, ledger_entry_id, obligation_event_id, document_id, template_version, letter_date, emailed_to, issued_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			kind, obligationID, entryID, eventID, doc.ID, l.TemplateVersion, l.Date, emailTo, by).Scan(&letterID); err != nil {
			return fmt.Errorf("record letter: %w", err)
		}
		if emailTo != "" {
			body := strings.Join(l.Paragraphs, "\n\n") + "\n\n" + strings.TrimSpace(l.Settings.SignatoryName+"\n"+l.Settings.SignatoryTitle+"\n"+l.Settings.CouncilName)
			if err := mailer.Enqueue(ctx, tx, mailer.Message{Key: "letter:" + strconv.FormatInt(letterID, 10), To: emailTo, Subject: l.Subject, Body: body,
				// The PDF just saved with the record goes with it: the
				// outbox keeps the version's id and reads the file to send.
				Attachments: []mailer.Attachment{{VersionID: doc.Latest.ID}}}); err != nil {
				return fmt.Errorf("queue letter e-mail: %w", err)
			}
		}
		summary := "Produced " + strings.ToLower(kind.Label()) + ": " + l.Subject
		if emailTo != "" {
			summary += ", e-mailed to " + emailTo
		}
		return audit.Record(ctx, tx, actor, "letter.produce", "obligation", strconv.FormatInt(obligationID, 10), summary, nil,
			map[string]any{"letter": kind.Label(), "document": doc.ID, "wording version": l.TemplateVersion, "e-mailed to": emailTo})
	})
	return l, doc, err
}
