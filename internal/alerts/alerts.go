// Package alerts turns the ledger's and the homes' dates into alerts: the
// rules, their admin-set thresholds, each alert created once per subject
// and threshold, delivered in the app and by e-mail (through the outbox),
// escalated to managers, and acknowledged by users.
package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/plural"
	"github.com/s106monitor/s106/internal/store"
)

// Service holds the alert rules' dependencies.
type Service struct {
	DB *store.DB
	// BaseURL makes the links in e-mails absolute.
	BaseURL string
	Now     func() time.Time
}

// Rule codes.
const (
	RuleSpendBy         = "spend-by"
	RuleUnallocated     = "unallocated"
	RuleNoInvoice       = "no-invoice"
	RuleInvoiceUnpaid   = "invoice-unpaid"
	RuleHomesBreach     = "homes-breach"
	RuleAgreementReview = "agreement-review"
	RuleIndexMissing    = "index-missing"
	RuleIFSDue          = "ifs-due"
)

// Rule codes of the homes' outside sources (issue 21): HM Land Registry
// price paid data and Companies House.
const (
	RuleSuspiciousSale     = "suspicious-sale"
	RuleDeveloperInsolvent = "developer-insolvent"
)

// Alert is one alert, as one recipient sees it.
type Alert struct {
	ID           int64
	RuleCode     string
	RuleName     string
	SubjectType  string
	SubjectID    int64
	Threshold    string
	SubjectLabel string
	Link         string
	Detail       string
	Amount       *decimal.Decimal
	Homes        *int
	Deadline     *time.Time
	AgreementID  *int64
	ObligationID *int64
	OfficerID    *int64
	OfficerName  string
	ServiceArea  string
	ContactName  string
	ContactEmail string
	Escalated    bool
	CreatedAt    time.Time

	// The recipient's own view.
	Reason         string // responsible, team or manager
	AcknowledgedAt *time.Time
	AckComment     string
}

// Title says what the alert is about in a few words.
func (a Alert) Title() string {
	switch a.RuleCode {
	case RuleSpendBy:
		if a.Threshold == "passed" {
			return "Spend-by deadline passed"
		}
		return "Spend-by deadline in " + a.Threshold
	case RuleUnallocated:
		return "Money unallocated for more than " + a.Threshold
	case RuleNoInvoice:
		return "No invoice " + a.Threshold + " after the trigger was met"
	case RuleInvoiceUnpaid:
		return "Invoice unpaid after its due date"
	case RuleHomesBreach:
		return "Affordable housing delivery trigger breached"
	case RuleAgreementReview:
		return "Agreement review due: signed more than " + a.Threshold + " ago"
	case RuleIndexMissing:
		return "Index value missing for " + monthText(a.Threshold)
	case RuleIFSDue:
		return "Infrastructure Funding Statement due by 31 December"
	case RuleSuspiciousSale:
		return "Affordable home sold: investigate"
	case RuleDeveloperInsolvent:
		return "Developer " + a.Threshold + " while the agreement still owes"
	}
	if t, ok := cilTitle(a); ok {
		return t
	}
	return a.RuleName
}

// AtStake is the money or homes the alert concerns, as text.
func (a Alert) AtStake() string {
	var parts []string
	if a.Amount != nil {
		parts = append(parts, money.Format(*a.Amount))
	}
	if a.Homes != nil {
		parts = append(parts, plural.Count(*a.Homes, "affordable home", "affordable homes"))
	}
	return strings.Join(parts, " and ")
}

// Contact names the responsible officer and the service area's contact.
func (a Alert) Contact() string {
	var parts []string
	if a.OfficerName != "" {
		parts = append(parts, "Responsible officer: "+a.OfficerName)
	} else {
		parts = append(parts, "Responsible officer: not assigned")
	}
	c := a.ContactName
	if a.ContactEmail != "" {
		if c != "" {
			c += " <" + a.ContactEmail + ">"
		} else {
			c = a.ContactEmail
		}
	}
	if a.ServiceArea != "" {
		if c != "" {
			c = a.ServiceArea + ": " + c
		} else {
			c = a.ServiceArea
		}
	}
	if c != "" {
		parts = append(parts, "Service area contact: "+c)
	}
	return strings.Join(parts, ". ")
}

// Acknowledged reports whether the recipient has acknowledged the alert.
func (a Alert) Acknowledged() bool { return a.AcknowledgedAt != nil }

func monthText(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return t.Format("January 2006")
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Today is the calendar date in London.
func (s *Service) Today() time.Time { return fy.Today(s.now()) }

// Evaluate runs every enabled rule as at now and creates the alerts (and
// their outbox e-mails) that do not exist yet; it returns how many it
// created. Running it again for the same now creates none.
func (s *Service) Evaluate(ctx context.Context, now time.Time) (int, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return 0, err
	}
	today := fy.Today(now)
	total := 0
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		n, err := s.evaluateRule(ctx, r, today, now)
		if err != nil {
			return total, fmt.Errorf("alerts: rule %s: %w", r.Code, err)
		}
		total += n
	}
	return total, nil
}

// evaluateRule creates one rule's new alerts, their recipients and their
// immediate e-mails in one transaction.
func (s *Service) evaluateRule(ctx context.Context, r Rule, today, now time.Time) (int, error) {
	created := 0
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		ids, err := s.insertCandidates(ctx, tx, r, today, now)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		created = len(ids)
		if _, err := tx.Exec(ctx, insertRecipients, ids); err != nil {
			return err
		}
		if err := s.enqueueImmediate(ctx, tx, ids); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.System, "alerts.create", "alert-rule", r.Code,
			fmt.Sprintf("Created %d %s alerts", len(ids), r.Name), nil, map[string]any{"alerts": len(ids)})
	})
	return created, err
}

func (s *Service) insertCandidates(ctx context.Context, tx pgx.Tx, r Rule, today, now time.Time) ([]int64, error) {
	var candidates string
	args := []any{today, r.Thresholds, r.EscalateMonths, r.Code, now}
	switch r.Code {
	case RuleSpendBy:
		candidates = spendByCandidates
	case RuleUnallocated:
		candidates = unallocatedCandidates
	case RuleNoInvoice:
		candidates = noInvoiceCandidates
	case RuleInvoiceUnpaid:
		candidates = invoiceUnpaidCandidates
	case RuleAgreementReview:
		candidates = agreementReviewCandidates
	case RuleIndexMissing:
		candidates = indexMissingCandidates
	case RuleIFSDue:
		candidates = ifsDueCandidates
	case RuleSuspiciousSale:
		candidates = suspiciousSaleCandidates
	case RuleDeveloperInsolvent:
		candidates = developerInsolventCandidates
	case RuleHomesBreach:
		checks, err := homes.TriggerChecks(ctx, tx)
		if err != nil {
			return nil, err
		}
		var ids []int64
		var counts []int32
		var texts []string
		for _, c := range checks {
			if c.Check.Breach() {
				ids = append(ids, c.ObligationID)
				counts = append(counts, int32(c.Check.NotTransferred()))
				texts = append(texts, c.Check.Text())
			}
		}
		if len(ids) == 0 {
			return nil, nil
		}
		candidates = homesBreachCandidates
		args = append(args, ids, counts, texts)
	default:
		c, ok := cilCandidates(r.Code)
		if !ok {
			return nil, nil
		}
		candidates = c
	}
	rows, err := tx.Query(ctx, `WITH p AS (SELECT $1::date AS today, $2::int[] AS th, $3::int AS esc),
		c AS (`+candidates+`)
		INSERT INTO alerts (rule_code, subject_type, subject_id, threshold, subject_label, link, detail, amount, homes, deadline,
		                    agreement_id, obligation_id, officer_id, service_area, contact_name, contact_email, team_role, escalated, created_at)
		SELECT $4::text, c.st, c.sid, c.thr, c.label, c.link, c.detail, c.amount, c.homes, c.deadline,
		       c.agreement_id, c.obligation_id, c.officer_id, c.service_area, c.contact_name, c.contact_email, c.team_role, c.escalated, $5::timestamptz
		FROM c
		ORDER BY c.deadline NULLS LAST, c.sid
		ON CONFLICT ON CONSTRAINT alerts_once DO NOTHING
		RETURNING id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// obligationColumns are the candidate columns every obligation-based rule
// shares: who is responsible and the service area's contact.
const obligationColumns = `
	a.id AS agreement_id, o.id AS obligation_id, a.responsible_officer_id AS officer_id,
	o.service_area, o.contact_name, o.contact_email`

const obligationLabel = `a.reference || ' · ' || coalesce(nullif(o.clause_ref, ''), left(o.description, 60)) || ' · ' || d.name`

const obligationJoins = `
	JOIN agreements a ON a.id = o.agreement_id
	JOIN developments d ON d.id = a.development_id`

// The spend-by rule: the tightest threshold reached (the smallest number
// of months with today on or after deadline − months), or "passed" once
// the deadline day is over. Escalated from escalate_months and when passed.
const spendByCandidates = `
	SELECT 'receipt-share' AS st, s.entry_id AS sid,
	       CASE WHEN s.deadline < p.today THEN 'passed' ELSE m.n || CASE WHEN m.n = 1 THEN ' month' ELSE ' months' END END AS thr,
	       ` + obligationLabel + ` AS label,
	       '/obligations/' || o.id AS link,
	       'Unspent money from the payment by ' || r.payer || ' received on ' || to_char(s.received_on, 'FMDD FMMonth YYYY') AS detail,
	       s.unspent AS amount, NULL::int AS homes, s.deadline,` + obligationColumns + `,
	       'officer' AS team_role,
	       (s.deadline < p.today OR (p.esc IS NOT NULL AND m.n <= p.esc)) AS escalated
	FROM p CROSS JOIN receipt_share_balances s
	JOIN obligations o ON o.id = s.obligation_id` + obligationJoins + `
	JOIN receipts r ON r.id = s.receipt_id
	LEFT JOIN LATERAL (SELECT min(t) AS n FROM unnest(p.th) t
	                   WHERE p.today >= (s.deadline - make_interval(months => t))::date) m ON true
	WHERE s.unspent > 0 AND s.deadline IS NOT NULL AND o.archived_at IS NULL
	  AND (s.deadline < p.today OR m.n IS NOT NULL)`

// Received money unallocated for more than the threshold in months.
const unallocatedCandidates = `
	SELECT 'receipt-share' AS st, s.entry_id AS sid,
	       t || CASE WHEN t = 1 THEN ' month' ELSE ' months' END AS thr,
	       ` + obligationLabel + ` AS label,
	       '/obligations/' || o.id AS link,
	       'Payment by ' || r.payer || ' received on ' || to_char(s.received_on, 'FMDD FMMonth YYYY') || ' is not allocated to a project' AS detail,
	       s.unallocated AS amount, NULL::int AS homes, s.deadline,` + obligationColumns + `,
	       'officer' AS team_role, false AS escalated
	FROM p CROSS JOIN LATERAL unnest(p.th) t
	CROSS JOIN receipt_share_balances s
	JOIN obligations o ON o.id = s.obligation_id` + obligationJoins + `
	JOIN receipts r ON r.id = s.receipt_id
	WHERE s.unallocated > 0 AND o.archived_at IS NULL
	  AND p.today > (s.received_on + make_interval(months => t))::date`

// A financial obligation whose trigger was met more than the threshold in
// days ago and that has no invoice (and no payment).
// triggeredNoInvoice is every obligation whose trigger is met, not
// discharged, with no invoice (nor, with payments, any receipt): worked
// out set-wise from the events, not through obligation_status's money
// columns, which are slow for 20,000 obligations.
const triggeredNoInvoice = `
	(SELECT e.obligation_id, max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on
	 FROM obligation_events_effective e
	 GROUP BY e.obligation_id
	 HAVING bool_or(e.kind = 'trigger-met') AND NOT bool_or(e.kind = 'discharged')) os`

const noInvoiceCandidates = `
	SELECT 'obligation' AS st, o.id AS sid,
	       t || CASE WHEN t = 1 THEN ' day' ELSE ' days' END AS thr,
	       ` + obligationLabel + ` AS label,
	       '/obligations/' || o.id AS link,
	       'Trigger met on ' || to_char(os.trigger_met_on, 'FMDD FMMonth YYYY') || '; no invoice issued' AS detail,
	       o.base_amount AS amount, NULL::int AS homes, os.trigger_met_on + t AS deadline,` + obligationColumns + `,
	       'officer' AS team_role, false AS escalated
	FROM p CROSS JOIN LATERAL unnest(p.th) t
	CROSS JOIN ` + triggeredNoInvoice + `
	JOIN obligations o ON o.id = os.obligation_id` + obligationJoins + `
	WHERE o.kind IN ('financial', 'monitoring-fee') AND o.archived_at IS NULL
	  AND NOT EXISTS (SELECT 1 FROM ledger_effective le WHERE le.obligation_id = o.id AND le.kind IN ('invoice', 'receipt'))
	  AND p.today > os.trigger_met_on + t`

// An invoice not paid in full the threshold in days after its due date.
// Payments are set against an obligation's invoices oldest first.
const invoiceUnpaidCandidates = `
	SELECT 'invoice' AS st, i.id AS sid, 'due' AS thr,
	       ` + obligationLabel + ` AS label,
	       '/obligations/' || o.id AS link,
	       'Invoice ' || coalesce(nullif(i.reference, ''), '#' || i.id) || ' dated ' || to_char(i.entry_date, 'FMDD FMMonth YYYY') || ' was due on ' || to_char(i.due_date, 'FMDD FMMonth YYYY') AS detail,
	       least(i.amount, i.cum - os.received) AS amount, NULL::int AS homes, i.due_date AS deadline,` + obligationColumns + `,
	       'officer' AS team_role, false AS escalated
	FROM p CROSS JOIN LATERAL unnest(p.th) t
	CROSS JOIN (SELECT e.*, sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum
	            FROM ledger_effective e WHERE e.kind = 'invoice') i
	JOIN obligations o ON o.id = i.obligation_id
	JOIN obligation_status os ON os.obligation_id = o.id` + obligationJoins + `
	WHERE i.due_date IS NOT NULL AND p.today > i.due_date + t
	  AND i.cum > os.received AND os.discharged_on IS NULL AND o.archived_at IS NULL`

// An agreement signed more than the threshold in years ago with
// obligations neither triggered nor discharged.
const agreementReviewCandidates = `
	SELECT 'agreement' AS st, a.id AS sid,
	       t || CASE WHEN t = 1 THEN ' year' ELSE ' years' END AS thr,
	       a.reference || ' · ' || d.name AS label,
	       '/agreements/' || a.id AS link,
	       'Signed on ' || to_char(a.date_signed, 'FMDD FMMonth YYYY') || '; ' || x.open_count ||
	         CASE WHEN x.open_count = 1 THEN ' obligation is' ELSE ' obligations are' END || ' neither triggered nor discharged' AS detail,
	       x.amount, x.homes, (a.date_signed + make_interval(years => t))::date AS deadline,
	       a.id AS agreement_id, NULL::bigint AS obligation_id, a.responsible_officer_id AS officer_id,
	       x.service_area, ''::text AS contact_name, ''::text AS contact_email,
	       'officer' AS team_role, false AS escalated
	FROM p CROSS JOIN LATERAL unnest(p.th) t
	CROSS JOIN agreements a
	JOIN developments d ON d.id = a.development_id
	JOIN (SELECT o.agreement_id, count(*) AS open_count,
	             sum(o.base_amount) AS amount,
	             sum(o.units) FILTER (WHERE o.kind = 'affordable-housing')::int AS homes,
	             coalesce(min(nullif(o.service_area, '')), '') AS service_area
	      FROM obligations o JOIN obligation_status os ON os.obligation_id = o.id
	      WHERE o.archived_at IS NULL AND os.trigger_met_on IS NULL AND os.discharged_on IS NULL
	      GROUP BY o.agreement_id) x ON x.agreement_id = a.id
	WHERE a.archived_at IS NULL AND a.status IN ('completed', 'live') AND a.date_signed IS NOT NULL
	  AND p.today > (a.date_signed + make_interval(years => t))::date`

// An indexed obligation triggered and not yet invoiced whose index value
// for the month of calculation (the month its trigger was met) is missing.
const indexMissingCandidates = `
	SELECT 'obligation' AS st, o.id AS sid, to_char(os.trigger_met_on, 'YYYY-MM') AS thr,
	       ` + obligationLabel + ` AS label,
	       '/admin/indices/' || o.index_series AS link,
	       'Trigger met on ' || to_char(os.trigger_met_on, 'FMDD FMMonth YYYY') || '; no ' || upper(o.index_series) ||
	         ' value for ' || to_char(os.trigger_met_on, 'FMMonth YYYY') || ' to calculate the invoice' AS detail,
	       o.base_amount AS amount, NULL::int AS homes, os.trigger_met_on AS deadline,` + obligationColumns + `,
	       'officer' AS team_role, false AS escalated
	FROM p CROSS JOIN ` + triggeredNoInvoice + `
	JOIN obligations o ON o.id = os.obligation_id` + obligationJoins + `
	WHERE o.kind IN ('financial', 'monitoring-fee') AND o.index_series IS NOT NULL AND o.archived_at IS NULL
	  AND os.trigger_met_on <= p.today
	  AND NOT EXISTS (SELECT 1 FROM ledger_effective le WHERE le.obligation_id = o.id AND le.kind = 'invoice')
	  AND NOT EXISTS (SELECT 1 FROM index_values v JOIN index_series s ON s.code = v.series_code
	                  WHERE v.series_code = o.index_series  -- a quarterly series (BCIS) has one value a quarter
	                    AND v.period = date_trunc(CASE s.frequency WHEN 'quarterly' THEN 'quarter' WHEN 'annual' THEN 'year' ELSE 'month' END, os.trigger_met_on)::date)`

// The IFS reminder: from 1 October to 31 December while last financial
// year's statement is not published (ifs_publications, migration 00007).
const ifsDueCandidates = `
	SELECT 'ifs' AS st, (extract(year FROM p.today)::int - 1)::bigint AS sid, 'due' AS thr,
	       'Infrastructure Funding Statement ' || (extract(year FROM p.today)::int - 1) || ' to ' || extract(year FROM p.today)::int AS label,
	       '/ifs' AS link,
	       'The statement for the financial year 1 April ' || (extract(year FROM p.today)::int - 1) || ' to 31 March ' ||
	         extract(year FROM p.today)::int || ' must be published by 31 December' AS detail,
	       NULL::numeric AS amount, NULL::int AS homes, make_date(extract(year FROM p.today)::int, 12, 31) AS deadline,
	       NULL::bigint AS agreement_id, NULL::bigint AS obligation_id, NULL::bigint AS officer_id,
	       ''::text AS service_area, ''::text AS contact_name, ''::text AS contact_email,
	       'officer' AS team_role, false AS escalated
	FROM p
	WHERE extract(month FROM p.today) >= 10
	  AND NOT EXISTS (SELECT 1 FROM ifs_publications ip WHERE ip.year = extract(year FROM p.today)::int - 1)`

// suspiciousSaleCandidates are the sales in HM Land Registry's price paid
// data of homes that should still be affordable (the suspicious_sales view,
// migration 00065): one alert per sale, for the housing team, with the
// sale's date and price.
const suspiciousSaleCandidates = `
	SELECT 'obligation' AS st, o.id AS sid, 'sale ' || v.transaction_id AS thr,
	       'Plot ' || h.plot || ' · ' || d.name AS label,
	       '/homes/' || h.id AS link,
	       'Sold on ' || to_char(v.sold_on, 'FMDD FMMonth YYYY') || ' for £' || to_char(v.price, 'FM999,999,999,999') ||
	         ' (HM Land Registry ' || v.transaction_id || '): ' || v.reason AS detail,
	       v.price::numeric AS amount, 1 AS homes, v.sold_on AS deadline,` + obligationColumns + `,
	       'housing' AS team_role, false AS escalated
	FROM p CROSS JOIN suspicious_sales v
	JOIN homes h ON h.id = v.home_id
	JOIN obligations o ON o.id = v.obligation_id` + obligationJoins + `
	WHERE v.sold_on >= p.today - 730`

// developerInsolventCandidates are the agreements whose developer
// Companies House shows dissolved, in liquidation or in administration
// while they still owe money or homes (the developer_insolvency view,
// migration 00066): one alert per agreement and company status.
const developerInsolventCandidates = `
	SELECT 'agreement' AS st, a.id AS sid, v.status AS thr,
	       a.reference || ' · ' || d.name AS label,
	       '/agreements/' || a.id AS link,
	       v.developer || ' (company ' || v.company_number || ') is ' || replace(v.status, '-', ' ') ||
	         ' according to Companies House, checked on ' || to_char(v.checked_at, 'FMDD FMMonth YYYY') ||
	         ', while the agreement still owes money or homes' AS detail,
	       NULL::numeric AS amount, NULL::int AS homes, NULL::date AS deadline,
	       a.id AS agreement_id, NULL::bigint AS obligation_id, a.responsible_officer_id AS officer_id,
	       ''::text AS service_area, ''::text AS contact_name, ''::text AS contact_email,
	       'officer' AS team_role, true AS escalated
	FROM p CROSS JOIN developer_insolvency v
	JOIN agreements a ON a.id = v.agreement_id
	JOIN developments d ON d.id = a.development_id`

// homesBreachCandidates takes the breached obligations found by the homes
// checks as arrays ($6 ids, $7 homes not transferred, $8 the numbers).
const homesBreachCandidates = `
	SELECT 'obligation' AS st, o.id AS sid, 'breach' AS thr,
	       ` + obligationLabel + ` AS label,
	       '/obligations/' || o.id || '/homes' AS link,
	       b.detail, NULL::numeric AS amount, b.homes, NULL::date AS deadline,` + obligationColumns + `,
	       'housing' AS team_role, false AS escalated
	FROM p CROSS JOIN unnest($6::bigint[], $7::int[], $8::text[]) AS b(id, homes, detail)
	JOIN obligations o ON o.id = b.id` + obligationJoins

// insertRecipients addresses new alerts ($1): the responsible officer when
// set and active, else every active user with the alert's team role
// (housing alerts always go to the housing team as well); managers too
// when escalated.
const insertRecipients = `
	INSERT INTO alert_recipients (alert_id, user_id, reason)
	SELECT al.id, u.id,
	       CASE WHEN u.id = ou.id THEN 'responsible'
	            WHEN (ou.id IS NULL OR al.team_role = 'housing') AND al.team_role = ANY (u.roles) THEN 'team'
	            ELSE 'manager' END
	FROM alerts al
	LEFT JOIN users ou ON ou.id = al.officer_id AND ou.disabled_at IS NULL
	JOIN users u ON u.disabled_at IS NULL
	     AND (u.id = ou.id
	          OR ((ou.id IS NULL OR al.team_role = 'housing') AND al.team_role = ANY (u.roles))
	          OR (al.escalated AND 'manager' = ANY (u.roles)))
	WHERE al.id = ANY ($1)
	ON CONFLICT DO NOTHING`

// enqueueImmediate writes one e-mail per recipient who chose immediate
// e-mails, in the alerts' transaction.
func (s *Service) enqueueImmediate(ctx context.Context, tx pgx.Tx, ids []int64) error {
	rows, err := tx.Query(ctx, alertSelect+`, u.id, u.email
		FROM alert_recipients ar
		JOIN alerts al ON al.id = ar.alert_id`+alertJoins+`
		JOIN users u ON u.id = ar.user_id
		WHERE ar.alert_id = ANY ($1) AND u.alert_email = 'immediate'
		ORDER BY al.id, u.id`, ids)
	if err != nil {
		return err
	}
	type msg struct {
		a      Alert
		userID int64
		email  string
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (msg, error) {
		var m msg
		dest := append(alertDest(&m.a), &m.userID, &m.email)
		return m, row.Scan(dest...)
	})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		err := mail.Enqueue(ctx, tx, mail.Message{
			Key:     fmt.Sprintf("alert:%d:user:%d", m.a.ID, m.userID),
			To:      m.email,
			Subject: m.a.Title() + ": " + m.a.SubjectLabel,
			Body:    s.emailText(m.a) + "\n\nSee all your alerts: " + s.BaseURL + "/alerts\n",
		})
		if err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `
		UPDATE alert_recipients ar SET emailed = true
		FROM users u WHERE u.id = ar.user_id AND ar.alert_id = ANY ($1) AND u.alert_email = 'immediate'`, ids)
	return err
}

// emailText describes one alert in plain text.
func (s *Service) emailText(a Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", a.Title(), a.SubjectLabel)
	if a.Detail != "" {
		fmt.Fprintf(&b, "%s\n", a.Detail)
	}
	if st := a.AtStake(); st != "" {
		fmt.Fprintf(&b, "At stake: %s\n", st)
	}
	if a.Deadline != nil {
		fmt.Fprintf(&b, "Deadline: %s\n", a.Deadline.Format("2 January 2006"))
	}
	if a.Escalated {
		b.WriteString("Escalated to managers.\n")
	}
	fmt.Fprintf(&b, "%s\n", a.Contact())
	fmt.Fprintf(&b, "Details: %s/alerts/%d", s.BaseURL, a.ID)
	return b.String()
}

// SendDigests queues one digest e-mail per user who chose a daily digest
// and has undigested alerts, at most once per user per day.
func (s *Service) SendDigests(ctx context.Context, now time.Time) (int, error) {
	day := fy.Today(now)
	var users []int64
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT u.id FROM users u JOIN alert_recipients ar ON ar.user_id = u.id
		WHERE u.alert_email = 'digest' AND u.disabled_at IS NULL
		  AND ar.digested_on IS NULL AND NOT ar.emailed AND ar.acknowledged_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM alert_digests g WHERE g.user_id = u.id AND g.day = $1)
		ORDER BY u.id`, day)
	if err != nil {
		return 0, err
	}
	if users, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return 0, err
	}
	sent := 0
	for _, uid := range users {
		ok, err := s.sendDigest(ctx, uid, day)
		if err != nil {
			return sent, fmt.Errorf("alerts: digest for user %d: %w", uid, err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) sendDigest(ctx context.Context, userID int64, day time.Time) (bool, error) {
	sent := false
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var email string
		if err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&email); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, alertSelect+alertFrom+`
			WHERE ar.user_id = $1 AND ar.digested_on IS NULL AND NOT ar.emailed AND ar.acknowledged_at IS NULL
			ORDER BY al.deadline NULLS LAST, al.id`, userID)
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, scanAlert)
		if err != nil || len(list) == 0 {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO alert_digests (user_id, day, alerts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			userID, day, len(list))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var b strings.Builder
		if len(list) == 1 {
			b.WriteString("You have 1 new alert.\n")
		} else {
			fmt.Fprintf(&b, "You have %d new alerts.\n", len(list))
		}
		ids := make([]int64, 0, len(list))
		for i, a := range list {
			fmt.Fprintf(&b, "\n%d. %s\n", i+1, s.emailText(a))
			ids = append(ids, a.ID)
		}
		fmt.Fprintf(&b, "\n\nSee all your alerts: %s/alerts\n", s.BaseURL)
		subject := fmt.Sprintf("S106 alerts for %s: %d new", day.Format("2 January 2006"), len(list))
		if len(list) == 1 {
			subject = fmt.Sprintf("S106 alerts for %s: 1 new", day.Format("2 January 2006"))
		}
		if err := mail.Enqueue(ctx, tx, mail.Message{
			Key: fmt.Sprintf("digest:user:%d:%s", userID, day.Format("2006-01-02")), To: email, Subject: subject, Body: b.String(),
		}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE alert_recipients SET digested_on = $3 WHERE user_id = $1 AND alert_id = ANY ($2)`,
			userID, ids, day); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}

// UnreadLimit is how far the page header counts a user's unread alerts:
// above it the header says "Alerts (99+)". Every signed-in page shows the
// count, and a large council's officer can have tens of thousands unread
// (15,854 at five times the large council): counting them all cost every
// page more as the register grew (issue 22); counting to 100 costs the
// same at any size.
const UnreadLimit = 99

// UnreadCount is the number of alerts addressed to userID that they have
// not acknowledged (shown in the page header), counted up to UnreadLimit:
// more is true when there are more than UnreadLimit, and n is then
// UnreadLimit.
func (s *Service) UnreadCount(ctx context.Context, userID int64) (n int, more bool, err error) {
	err = s.DB.Pool.QueryRow(ctx, listing.CappedCount(` FROM alert_recipients WHERE user_id = $1 AND acknowledged_at IS NULL`, UnreadLimit), userID).Scan(&n)
	n, more = listing.Counted(n, UnreadLimit)
	return n, more, err
}
