// Package letters writes the letters officers send every week from
// templates filled from the record: invoices with their indexation working,
// payment and final reminders, spend-by notices, discharge confirmations
// and monitoring-fee invoices. Each is previewed, produced as a PDF, kept
// as a document of its record and, if asked, e-mailed through the outbox.
// An admin edits the wording; every edit is a new version.
//
// letters imports documents, ledger, mail, audit and store; it must never
// import web or templates.
package letters

import (
	"fmt"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// Kind is a kind of letter.
type Kind string

// The letters the service writes.
const (
	Invoice               Kind = "invoice"
	MonitoringFeeInvoice  Kind = "monitoring-fee-invoice"
	PaymentReminder       Kind = "payment-reminder"
	FinalReminder         Kind = "final-reminder"
	SpendByNotice         Kind = "spend-by-notice"
	DischargeConfirmation Kind = "discharge-confirmation"
)

// Kinds lists every kind, in the order the admin page shows them.
var Kinds = []Kind{Invoice, MonitoringFeeInvoice, PaymentReminder, FinalReminder, SpendByNotice, DischargeConfirmation}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Label names a kind for people.
func (k Kind) Label() string {
	switch k {
	case Invoice:
		return "Invoice"
	case MonitoringFeeInvoice:
		return "Monitoring fee invoice"
	case PaymentReminder:
		return "Payment reminder"
	case FinalReminder:
		return "Final reminder"
	case SpendByNotice:
		return "Spend-by notice"
	case DischargeConfirmation:
		return "Confirmation of discharge"
	}
	return string(k)
}

// Field is one value a template may use, with what it holds.
type Field struct {
	Name        string
	Description string
}

// commonFields are filled for every letter.
var commonFields = []Field{
	{"CouncilName", "The council's name, from the letter settings"},
	{"Today", "The letter's date, like 25 November 2026"},
	{"RecipientName", "The developer named in the agreement (or the owner when there is no developer)"},
	{"AgreementReference", "The agreement's reference, like 21/AP/1234"},
	{"DevelopmentName", "The development's name"},
	{"DevelopmentAddress", "The development's address and postcode"},
	{"ClauseRef", "The obligation's clause number in the deed"},
	{"ObligationDescription", "The obligation as written"},
	{"Purpose", "What the money is for, like Education"},
	{"ServiceArea", "The service area responsible, like Education"},
	{"Signatory", "Who signs the letter, from the letter settings"},
	{"SignatoryTitle", "Their job title"},
}

var invoiceFields = []Field{
	{"InvoiceNumber", "The council's invoice number"},
	{"InvoiceDate", "The invoice's date"},
	{"BaseAmount", "The base amount in the agreement, like £287,500.00"},
	{"IndexSeries", "The index the amount is linked to, like BCIS All-in TPI; empty when not index-linked"},
	{"BaseIndexDate", "The month of the base index value"},
	{"BaseIndexValue", "The base index value"},
	{"CurrentIndexDate", "The month indexed to"},
	{"CurrentIndexValue", "The index value used"},
	{"Calculation", "The working: base × current index ÷ base index = amount"},
	{"AmountDue", "The amount invoiced"},
	{"DueDate", "When payment is due; empty when the agreement sets no period"},
}

var reminderFields = append(slices.Clone(invoiceFields),
	Field{"AmountOutstanding", "What is still unpaid of the invoices"},
	Field{"DaysOverdue", "Days since the due date, like 14 days"},
)

var spendByFields = []Field{
	{"ReceivedOn", "When the payment was received"},
	{"AmountReceived", "The payment's amount for this obligation"},
	{"Unspent", "What of it is not yet spent"},
	{"SpendByDate", "The date by which it must be spent, or returned"},
}

var dischargeFields = []Field{
	{"DischargedOn", "The date the obligation was discharged"},
}

// Fields lists what a kind's template may use.
func (k Kind) Fields() []Field {
	out := slices.Clone(commonFields)
	switch k {
	case Invoice, MonitoringFeeInvoice:
		out = append(out, invoiceFields...)
	case PaymentReminder, FinalReminder:
		out = append(out, reminderFields...)
	case SpendByNotice:
		out = append(out, spendByFields...)
	case DischargeConfirmation:
		out = append(out, dischargeFields...)
	}
	return out
}

// Template is a kind's wording: its subject line and body.
type Template struct {
	Kind    Kind
	Version int // 0: the built-in wording
	Subject string
	Body    string
}

const invoiceWorking = `Base amount: {{.BaseAmount}}
{{if .IndexSeries}}Index: {{.IndexSeries}}
Base index value: {{.BaseIndexValue}} ({{.BaseIndexDate}})
Current index value: {{.CurrentIndexValue}} ({{.CurrentIndexDate}})
Calculation: {{.Calculation}}
{{else}}The amount is not index-linked.
{{end}}Amount due: {{.AmountDue}}`

// Defaults are the built-in wordings.
var Defaults = map[Kind]Template{
	Invoice: {Kind: Invoice, Subject: "Invoice {{.InvoiceNumber}}: {{.AgreementReference}}, {{.DevelopmentName}}", Body: `Dear {{.RecipientName}}

Under clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}}, the following contribution is now payable: {{.ObligationDescription}}

` + invoiceWorking + `

{{if .DueDate}}Please pay by {{.DueDate}}{{else}}Please pay now{{end}}, quoting invoice number {{.InvoiceNumber}}.

Yours faithfully`},
	MonitoringFeeInvoice: {Kind: MonitoringFeeInvoice, Subject: "Monitoring fee invoice {{.InvoiceNumber}}: {{.AgreementReference}}", Body: `Dear {{.RecipientName}}

Clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}} requires a fee towards the council's cost of monitoring the agreement.

` + invoiceWorking + `

{{if .DueDate}}Please pay by {{.DueDate}}{{else}}Please pay now{{end}}, quoting invoice number {{.InvoiceNumber}}.

Yours faithfully`},
	PaymentReminder: {Kind: PaymentReminder, Subject: "Reminder: invoice {{.InvoiceNumber}} is unpaid", Body: `Dear {{.RecipientName}}

Our invoice {{.InvoiceNumber}} of {{.InvoiceDate}} for {{.AmountDue}}, due under clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}}, was due for payment on {{.DueDate}} and {{.AmountOutstanding}} is still outstanding ({{.DaysOverdue}} overdue).

Please pay {{.AmountOutstanding}} now, quoting invoice number {{.InvoiceNumber}}. If you have already paid, please tell us the date and amount of your payment.

Yours faithfully`},
	FinalReminder: {Kind: FinalReminder, Subject: "Final reminder: invoice {{.InvoiceNumber}} is unpaid", Body: `Dear {{.RecipientName}}

Despite our reminder, {{.AmountOutstanding}} remains unpaid on invoice {{.InvoiceNumber}} of {{.InvoiceDate}}, due on {{.DueDate}} under clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}}.

Unless we receive payment within 14 days of this letter, the council will consider enforcing the obligation, which may include recovering the sum with interest and costs.

Yours faithfully`},
	SpendByNotice: {Kind: SpendByNotice, Subject: "Spend by {{.SpendByDate}}: {{.AgreementReference}}, {{.Purpose}}", Body: `To: {{.ServiceArea}}

The council received {{.AmountReceived}} on {{.ReceivedOn}} under clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}} ({{.Purpose}}).

{{.Unspent}} of it is not yet spent. The agreement requires it to be spent by {{.SpendByDate}}; money unspent by then may have to be returned to the developer, with interest.

Please confirm the project it will be spent on, and when.`},
	DischargeConfirmation: {Kind: DischargeConfirmation, Subject: "Obligation discharged: {{.AgreementReference}}, clause {{.ClauseRef}}", Body: `Dear {{.RecipientName}}

We confirm that the obligation in clause {{.ClauseRef}} of the planning obligation {{.AgreementReference}} for {{.DevelopmentName}} ({{.ObligationDescription}}) was discharged on {{.DischargedOn}}.

This letter confirms the discharge of that obligation only; the other obligations of the agreement are not affected.

Yours faithfully`},
}

// TemplateError is a template an admin wrote that cannot be used, with
// the reason in words.
type TemplateError struct {
	Field string // subject or body
	Msg   string
}

func (e *TemplateError) Error() string { return e.Msg }

// parseRestricted parses text as a template that may use only the
// kind's fields, as {{.Field}} or in {{if .Field}} … {{else}} … {{end}}:
// no functions, no ranges, no other templates. Anything else is refused
// with a message naming what is wrong.
func parseRestricted(k Kind, name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return nil, &TemplateError{Field: name, Msg: fmt.Sprintf("The %s cannot be read: %s. Fields are written like {{.InvoiceNumber}}", name, msg)}
	}
	if len(t.Templates()) > 1 {
		return nil, &TemplateError{Field: name, Msg: fmt.Sprintf("The %s may not define other templates", name)}
	}
	allowed := map[string]bool{}
	for _, f := range k.Fields() {
		allowed[f.Name] = true
	}
	if err := checkNodes(t.Tree.Root, allowed); err != nil {
		return nil, &TemplateError{Field: name, Msg: "The " + name + " " + err.Error()}
	}
	return t, nil
}

const allowedForms = "only fields like {{.AmountDue}} and {{if .DueDate}} … {{else}} … {{end}} may be used"

func checkNodes(n parse.Node, allowed map[string]bool) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNodes(c, allowed); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode:
		return nil
	case *parse.ActionNode:
		return checkPipe(n.Pipe, allowed)
	case *parse.IfNode:
		if err := checkPipe(n.Pipe, allowed); err != nil {
			return err
		}
		if err := checkNodes(n.List, allowed); err != nil {
			return err
		}
		return checkNodes(n.ElseList, allowed)
	}
	return fmt.Errorf("uses %s: %s", n.String(), allowedForms)
}

func checkPipe(p *parse.PipeNode, allowed map[string]bool) error {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return fmt.Errorf("uses {{%s}}: %s", p, allowedForms)
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return fmt.Errorf("uses {{%s}}: %s", p, allowedForms)
	}
	if !allowed[f.Ident[0]] {
		return fmt.Errorf("uses {{.%s}}, which is not a field this letter can use: choose one from the list of fields", f.Ident[0])
	}
	return nil
}

// Check parses a template's subject and body, returning every problem.
func (t Template) Check() []*TemplateError {
	var out []*TemplateError
	for _, part := range []struct{ name, text string }{{"subject", t.Subject}, {"body", t.Body}} {
		if strings.TrimSpace(part.text) == "" {
			out = append(out, &TemplateError{Field: part.name, Msg: "Enter the " + part.name})
			continue
		}
		if _, err := parseRestricted(t.Kind, part.name, part.text); err != nil {
			out = append(out, err.(*TemplateError))
		}
	}
	return out
}

// Fill executes the template with the letter's fields: its subject line
// and its body's paragraphs (separated by blank lines).
func (t Template) Fill(fields map[string]string) (subject string, paragraphs []string, err error) {
	var parts [2]string
	for i, text := range []string{t.Subject, t.Body} {
		name := [2]string{"subject", "body"}[i]
		tmpl, err := parseRestricted(t.Kind, name, text)
		if err != nil {
			return "", nil, err
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, fields); err != nil {
			return "", nil, fmt.Errorf("fill %s %s: %w", t.Kind, name, err)
		}
		parts[i] = b.String()
	}
	subject = strings.Join(strings.Fields(parts[0]), " ")
	for _, p := range strings.Split(strings.ReplaceAll(parts[1], "\r\n", "\n"), "\n\n") {
		if p = strings.Trim(p, "\n "); p != "" {
			paragraphs = append(paragraphs, p)
		}
	}
	return subject, paragraphs, nil
}

// examples are the figures an admin's preview is filled with.
var examples = map[string]string{
	"Today": "25 November 2026", "RecipientName": "Acme Homes Ltd", "AgreementReference": "21/AP/1234",
	"DevelopmentName": "Elm Road", "DevelopmentAddress": "Land at Elm Road, WV2 3AB", "ClauseRef": "4.2",
	"ObligationDescription": "Pay the Education Contribution towards Elm Road Primary School", "Purpose": "Education",
	"ServiceArea": "Education", "InvoiceNumber": "INV-2026-0042", "InvoiceDate": "3 November 2026", "BaseAmount": "£287,500.00",
	"IndexSeries": "BCIS All-in Tender Price Index", "BaseIndexDate": "April 2019", "BaseIndexValue": "324.0",
	"CurrentIndexDate": "July 2026", "CurrentIndexValue": "391.7", "Calculation": "£287,500.00 × 391.7 ÷ 324.0 = £347,573.30",
	"AmountDue": "£347,573.30", "DueDate": "1 December 2026", "AmountOutstanding": "£347,573.30", "DaysOverdue": "14 days",
	"ReceivedOn": "2 March 2020", "AmountReceived": "£100,000.00", "Unspent": "£62,500.00", "SpendByDate": "2 March 2027",
	"DischargedOn": "14 November 2026",
}

// Example fills t with example figures and the letterhead, for an admin's
// preview of wording not yet saved.
func Example(t Template, st Settings, date time.Time) (Letter, error) {
	f := map[string]string{}
	for _, fl := range t.Kind.Fields() {
		f[fl.Name] = examples[fl.Name]
	}
	f["CouncilName"], f["Signatory"], f["SignatoryTitle"] = st.CouncilName, st.SignatoryName, st.SignatoryTitle
	l := Letter{Kind: t.Kind, Date: date, Settings: st, TemplateVersion: t.Version, Fields: f}
	var err error
	l.Subject, l.Paragraphs, err = t.Fill(f)
	return l, err
}
