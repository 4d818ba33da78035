package alerts

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	build "github.com/s106monitor/s106/internal/fixture"
)

// onlyRule disables every rule but code.
func (f *fixture) onlyRule(code string) {
	f.t.Helper()
	f.exec(`UPDATE alert_rules SET enabled = false WHERE code <> $1`, code)
}

// cilAlert is one levy alert as stored.
type cilAlert struct {
	SubjectType string
	SubjectID   int64
	Threshold   string
	Link        string
	Amount      string
	Escalated   bool
}

func (f *fixture) cilAlerts(rule string) []cilAlert {
	f.t.Helper()
	rows, err := f.svc.DB.Pool.Query(context.Background(), `SELECT subject_type, subject_id, threshold, link, coalesce(amount::text, ''), escalated
		FROM alerts WHERE rule_code = $1 ORDER BY id`, rule)
	f.must(err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[cilAlert])
	f.must(err)
	return out
}

// cilLiable is a chargeable development with a liability notice.
func (f *fixture) cilLiable(permission, parish string) (dev, liability int64) {
	f.t.Helper()
	dev = f.build.CILDevelopment(build.CILDevelopment{Permission: permission, Parish: parish})
	return dev, f.build.CILLiability(dev, permission, "10000")
}

func TestCILRulesAreListedOnlyWhereTheCouncilChargesTheLevy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := func() []string {
		rules, err := f.svc.Rules(context.Background())
		f.must(err)
		var out []string
		for _, r := range rules {
			out = append(out, r.Code)
		}
		return out
	}
	if got := codes(); slices.Contains(got, RuleCILInstalmentDue) || len(got) != 10 {
		t.Fatalf("without the levy the rules are %v, want the ten section 106 rules", got)
	}
	f.build.CILSchedule(build.CILSchedule{Rates: map[string]string{"residential": "100"}})
	got := codes()
	for _, c := range []string{RuleCILInstalmentDue, RuleCILCommencement, RuleCILReliefClawback, RuleCILParishPayment, RuleCILParishUnspent} {
		if !slices.Contains(got, c) {
			t.Errorf("with a charging schedule the rules %v lack %s", got, c)
		}
	}
}

// A demand notice's first instalment of £6,000 is due on 1 May 2026 and
// its second of £4,000 on 1 November 2026; the rule warns 14 days before.
// 14 days before 1 May is 17 April. £2,000 is paid against the first on 20
// April, so on 2 May £4,000 of it is overdue (escalated to managers). The
// second is paid in full on 1 October: nothing on 18 October or after. A
// superseded notice's instalment (due 10 May) never alerts.
func TestCILInstalmentAlertsFireBeforeAndAfterTheDueDayUntilPaid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.onlyRule(RuleCILInstalmentDue)
	dev, ln := f.cilLiable("2025-06-01", "")
	dn := f.build.CILDemand(dev, ln, build.CILDemand{Instalments: []build.CILInstalment{
		{Due: "2026-05-01", Amount: "6000"}, {Due: "2026-11-01", Amount: "4000"}}})
	// A second development whose demand notice was revised: the earlier
	// notice ceases to have effect (regulation 69(5)).
	dev2, ln2 := f.cilLiable("2025-06-01", "")
	old := f.build.CILDemand(dev2, ln2, build.CILDemand{Instalments: []build.CILInstalment{{Due: "2026-05-10", Amount: "500"}}})
	f.must(pgx.BeginFunc(context.Background(), f.svc.DB.Pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(context.Background(), `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, reference, issued_on, commencement_date, amount, supersedes_id)
			VALUES ($1, $2, 'DN revised', '2026-03-01', '2026-03-01', 500, $3) RETURNING id`, dev2, ln2, old.ID).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, 1, '2027-03-01', 500)`, id)
		return err
	}))

	f.evaluate("2026-04-16")
	if got := f.cilAlerts(RuleCILInstalmentDue); len(got) != 0 {
		t.Fatalf("15 days before the due day: %v", got)
	}
	f.evaluate("2026-04-17")
	got := f.cilAlerts(RuleCILInstalmentDue)
	want := []cilAlert{{"cil-instalment", dn.Instalments[0], "14 days", "/cil/demand-notices/" + strconv.FormatInt(dn.ID, 10), "6000.00", false}}
	if !slices.Equal(got, want) {
		t.Fatalf("14 days before: %+v, want %+v", got, want)
	}
	// Every officer gets it (the levy has no responsible officer).
	if n := f.count(`SELECT count(*) FROM alert_recipients WHERE user_id IN ($1, $2) AND reason = 'team'`, f.officer, f.other); n != 2 {
		t.Errorf("%d officers received the alert, want 2", n)
	}
	f.build.CILReceive(build.CILReceipt{Development: dev, Demand: dn.ID, On: "2026-04-20", Amount: "2000", Pays: map[int64]string{dn.Instalments[0]: "2000"}})
	f.evaluate("2026-05-01")
	if n := len(f.cilAlerts(RuleCILInstalmentDue)); n != 1 {
		t.Errorf("on the due day: %d alerts, want 1 (not overdue yet)", n)
	}
	f.evaluate("2026-05-02")
	got = f.cilAlerts(RuleCILInstalmentDue)
	if len(got) != 2 || got[1].Threshold != "overdue" || got[1].Amount != "4000.00" || !got[1].Escalated {
		t.Fatalf("the day after: %+v, want the first instalment overdue with £4,000 unpaid, escalated", got)
	}
	if n := f.count(`SELECT count(*) FROM alert_recipients WHERE user_id = $1 AND reason = 'manager'`, f.manager); n != 1 {
		t.Errorf("manager has %d overdue alerts, want 1", n)
	}
	// The officers' immediate e-mails and the manager's daily digest say
	// what the alert is about.
	if n := f.count(`SELECT count(*) FROM mail_outbox WHERE subject LIKE 'CIL instalment overdue: %' AND body LIKE '%Deadline: 1 May 2026%'`); n != 2 {
		t.Errorf("%d immediate e-mails of the overdue instalment, want 2 (both officers)", n)
	}
	sent, err := f.svc.SendDigests(context.Background(), noon("2026-05-02"))
	f.must(err)
	if sent != 1 || f.count(`SELECT count(*) FROM mail_outbox WHERE subject LIKE 'S106 alerts for 2 May 2026%' AND body LIKE '%CIL instalment overdue%'`) != 1 {
		t.Errorf("digests sent %d; the manager's digest lacks the overdue instalment", sent)
	}
	f.build.CILReceive(build.CILReceipt{Development: dev, Demand: dn.ID, On: "2026-10-01", Amount: "4000", Pays: map[int64]string{dn.Instalments[1]: "4000"}})
	for _, day := range []string{"2026-05-20", "2026-10-18", "2026-11-02", "2027-03-02"} {
		f.evaluate(day)
	}
	got = f.cilAlerts(RuleCILInstalmentDue)
	if len(got) != 3 || got[2].SubjectID == dn.Instalments[1] || got[2].Threshold != "overdue" {
		t.Fatalf("after paying the second instalment: %+v, want only the revised notice's instalment overdue on 2 March 2027", got)
	}
	for _, a := range got {
		if a.SubjectID == old.Instalments[0] {
			t.Errorf("the superseded notice's instalment alerted: %+v", a)
		}
	}
}

// A development whose permission first permitted it on 15 January 2025
// and which has a liability notice but no commencement notice alerts once
// 12 months have passed: on 16 January 2026, not on the 15th. One with a
// commencement notice, one without a liability notice and one with a
// demand notice never do. A fourth, permitted on 1 January 2026, has no
// commencement notice while its section 106 development's obligation
// triggered on commencement was met on 1 March 2026: "works started".
func TestCILCommencementNotNotifiedAlerts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.onlyRule(RuleCILCommencement)
	late, _ := f.cilLiable("2025-01-15", "")
	notified, _ := f.cilLiable("2025-01-15", "")
	f.build.CILCommencement(notified, "2025-03-01", "2025-03-02")
	f.build.CILDevelopment(build.CILDevelopment{Permission: "2025-01-15"}) // no liability notice
	demanded, dln := f.cilLiable("2025-01-15", "")
	f.build.CILDemand(demanded, dln, build.CILDemand{Instalments: []build.CILInstalment{{Due: "2025-05-01", Amount: "10000"}}})
	started, _ := f.cilLiable("2026-01-01", "")
	f.build.CILLinkDevelopment(started, f.devID)
	ob := f.build.Obligation(f.agreementID, build.Obligation{Clause: "2.1", Amount: "5000", TriggerType: "commencement"})

	f.evaluate("2026-01-15")
	if got := f.cilAlerts(RuleCILCommencement); len(got) != 0 {
		t.Fatalf("on the anniversary: %+v", got)
	}
	f.evaluate("2026-01-16")
	want := []cilAlert{{"cil-development", late, "12 months", "/cil/developments/" + strconv.FormatInt(late, 10) + "/notices", "10000.00", false}}
	if got := f.cilAlerts(RuleCILCommencement); !slices.Equal(got, want) {
		t.Fatalf("the day after: %+v, want %+v", got, want)
	}
	f.evaluate("2026-02-28")
	if n := len(f.cilAlerts(RuleCILCommencement)); n != 1 {
		t.Fatalf("before works are reported started: %d alerts, want 1", n)
	}
	f.build.TriggerMet(ob.ID, "2026-03-01")
	f.evaluate("2026-03-02")
	got := f.cilAlerts(RuleCILCommencement)
	if len(got) != 2 || got[1].SubjectID != started || got[1].Threshold != "works started" {
		t.Fatalf("after the commencement trigger was met: %+v, want works started for development %d", got, started)
	}
	var title string
	f.scan(`SELECT threshold FROM alerts WHERE rule_code = $1 AND subject_id = $2`, []any{&title}, RuleCILCommencement, started)
	if a := (Alert{RuleCode: RuleCILCommencement, Threshold: title}); a.Title() != "CIL commencement not notified: works reported started" {
		t.Errorf("title %q", a.Title())
	}
}

// Reliefs: one granted with its clawback period ending on 30 June 2027
// alerts 6 months before, on 30 December 2026 (not the 29th); one with a
// disqualifying event recorded and nothing clawed back alerts at once;
// one clawed back, one refused, one pending and one whose period ended
// without an event never do.
func TestCILReliefClawbackAlerts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.onlyRule(RuleCILReliefClawback)
	dev, _ := f.cilLiable("2024-01-10", "")
	ending := f.build.CILRelief(dev, build.CILRelief{Amount: "8000", ClawbackEnds: "2027-06-30"})
	event := f.build.CILRelief(dev, build.CILRelief{Amount: "12000", ClawbackEnds: "2031-01-01", Withdrawn: "2026-03-01", Reason: "Dwelling sold on the open market"})
	f.build.CILRelief(dev, build.CILRelief{ClawbackEnds: "2031-01-01", Withdrawn: "2026-03-01", Reason: "Let", ClawedBack: "10000"})
	f.build.CILRelief(dev, build.CILRelief{Decision: "refused", ClawbackEnds: "2027-06-30"})
	f.build.CILRelief(dev, build.CILRelief{Decision: "pending"})
	f.build.CILRelief(dev, build.CILRelief{ClawbackEnds: "2025-01-01"})

	f.evaluate("2026-12-29")
	want := []cilAlert{{"cil-relief", event, "disqualifying event", "/cil/reliefs/" + strconv.FormatInt(event, 10), "12000.00", false}}
	if got := f.cilAlerts(RuleCILReliefClawback); !slices.Equal(got, want) {
		t.Fatalf("29 December 2026: %+v, want %+v", got, want)
	}
	f.evaluate("2026-12-30")
	want = append(want, cilAlert{"cil-relief", ending, "6 months", "/cil/reliefs/" + strconv.FormatInt(ending, 10), "8000.00", false})
	if got := f.cilAlerts(RuleCILReliefClawback); !slices.Equal(got, want) {
		t.Fatalf("30 December 2026: %+v, want %+v", got, want)
	}
	f.evaluate("2027-07-01")
	if got := f.cilAlerts(RuleCILReliefClawback); len(got) != 2 {
		t.Errorf("after the period ended: %+v", got)
	}
}

// The neighbourhood portion (15%) of receipts of £10,000 on 10 May 2026
// and £2,000 on 1 August 2026 is £1,500 + £300 = £1,800, to be passed by
// 28 October 2026; of £4,000 on 5 November 2026, £600 by 28 April 2027.
// 14 days before 28 October is 14 October. £1,000 is paid on 20 October:
// on 29 October £800 is overdue. £1,400 paid on 10 November settles the
// £800 and the next half-year's £600, so nothing is due in April 2027. A
// parish that declined its portion never alerts.
func TestCILParishPaymentAlertsByTheDatesOf59D(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.onlyRule(RuleCILParishPayment)
	parish := f.build.CILParish(build.CILParish{Name: "Upper Quarry"})
	no := false
	declined := f.build.CILParish(build.CILParish{ReceivesCIL: &no})
	dev, _ := f.cilLiable("2025-06-01", parish)
	dev2, _ := f.cilLiable("2025-06-01", declined)
	f.build.CILReceive(build.CILReceipt{Development: dev, On: "2026-05-10", Amount: "10000", Parish: parish})
	f.build.CILReceive(build.CILReceipt{Development: dev, On: "2026-08-01", Amount: "2000", Parish: parish})
	f.build.CILReceive(build.CILReceipt{Development: dev, On: "2026-11-05", Amount: "4000", Parish: parish})
	f.build.CILReceive(build.CILReceipt{Development: dev2, On: "2026-05-10", Amount: "10000", Parish: declined})

	f.evaluate("2026-10-13")
	if got := f.cilAlerts(RuleCILParishPayment); len(got) != 0 {
		t.Fatalf("15 days before: %+v", got)
	}
	f.evaluate("2026-10-14")
	want := []cilAlert{{"cil-parish-half-year", 20261028, parish + " · 14 days", "/cil/parishes/" + parish, "1800.00", false}}
	if got := f.cilAlerts(RuleCILParishPayment); !slices.Equal(got, want) {
		t.Fatalf("14 days before: %+v, want %+v", got, want)
	}
	f.build.CILRecord(build.CILEntry{Kind: "parish-payment", On: "2026-10-20", Amount: "1000", Parish: parish})
	f.evaluate("2026-10-28")
	if n := len(f.cilAlerts(RuleCILParishPayment)); n != 1 {
		t.Fatalf("on the payment day: %d alerts, want 1", n)
	}
	f.evaluate("2026-10-29")
	want = append(want, cilAlert{"cil-parish-half-year", 20261028, parish + " · overdue", "/cil/parishes/" + parish, "800.00", true})
	if got := f.cilAlerts(RuleCILParishPayment); !slices.Equal(got, want) {
		t.Fatalf("the day after: %+v, want %+v", got, want)
	}
	if a := (Alert{RuleCode: RuleCILParishPayment, Threshold: want[1].Threshold}); a.Title() != "Neighbourhood CIL payment to a parish overdue" {
		t.Errorf("title %q", a.Title())
	}
	f.build.CILRecord(build.CILEntry{Kind: "parish-payment", On: "2026-11-10", Amount: "1400", Parish: parish})
	f.evaluate("2027-04-14")
	f.evaluate("2027-04-29")
	if got := f.cilAlerts(RuleCILParishPayment); !slices.Equal(got, want) {
		t.Errorf("after paying in full: %+v, want only %+v", got, want)
	}
}

// A parish was passed £5,000 on 28 October 2021 and £3,000 on 28 April
// 2022: their five years end on 27 October 2026 and 27 April 2027. Its
// reports say it spent £1,000 in 2021-22 and £1,500 in 2022-23, so
// (oldest first) £2,500 of the first payment is unspent: 6 months before
// its end, on 27 April 2026 (not the 26th), it alerts for £2,500. A notice
// served on 1 June 2026 to recover £2,500 deals with the rest of it, so it
// never alerts "passed"; the second payment alerts on 27 October 2026 for
// £3,000. Another parish's payment of 2025 is years from its end.
func TestCILParishMoneyUnspentNearTheEndOfFiveYears(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.onlyRule(RuleCILParishUnspent)
	parish := f.build.CILParish(build.CILParish{})
	other := f.build.CILParish(build.CILParish{})
	dev, _ := f.cilLiable("2020-06-01", parish)
	dev2, _ := f.cilLiable("2020-06-01", other)
	f.build.CILReceive(build.CILReceipt{Development: dev, On: "2021-09-01", Amount: "60000", Parish: parish})
	f.build.CILReceive(build.CILReceipt{Development: dev2, On: "2024-09-01", Amount: "60000", Parish: other})
	first := f.build.CILRecord(build.CILEntry{Kind: "parish-payment", On: "2021-10-28", Amount: "5000", Parish: parish})
	second := f.build.CILRecord(build.CILEntry{Kind: "parish-payment", On: "2022-04-28", Amount: "3000", Parish: parish})
	f.build.CILRecord(build.CILEntry{Kind: "parish-payment", On: "2025-04-28", Amount: "9000", Parish: other})
	f.build.CILParishReport(parish, 2021, "5000", "1000")
	f.build.CILParishReport(parish, 2022, "3000", "1500")

	f.evaluate("2026-04-26")
	if got := f.cilAlerts(RuleCILParishUnspent); len(got) != 0 {
		t.Fatalf("26 April 2026: %+v", got)
	}
	f.evaluate("2026-04-27")
	want := []cilAlert{{"cil-parish-payment", first, "6 months", "/cil/parishes/" + parish, "2500.00", false}}
	if got := f.cilAlerts(RuleCILParishUnspent); !slices.Equal(got, want) {
		t.Fatalf("27 April 2026: %+v, want %+v", got, want)
	}
	f.build.CILRecoveryNotice(parish, "2026-06-01", "2500")
	f.evaluate("2026-10-27")
	f.evaluate("2026-10-28")
	want = append(want, cilAlert{"cil-parish-payment", second, "6 months", "/cil/parishes/" + parish, "3000.00", false})
	if got := f.cilAlerts(RuleCILParishUnspent); !slices.Equal(got, want) {
		t.Fatalf("October 2026: %+v, want %+v", got, want)
	}
	// Reported spending of the rest ends the watch.
	f.build.CILParishReport(parish, 2023, "0", "3000")
	f.evaluate("2027-04-28")
	if got := f.cilAlerts(RuleCILParishUnspent); !slices.Equal(got, want) {
		t.Errorf("after the parish reported spending the rest: %+v, want %+v", got, want)
	}
}
