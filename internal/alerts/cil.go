package alerts

import "strings"

// The Community Infrastructure Levy's alert rules (issue 20, item 6). They
// run in the same Evaluate, with the same recipients, e-mails and digests
// as the section 106 rules; each candidate query below yields the columns
// insertCandidates expects, with p.today, p.th (the thresholds) and p.esc.
// The levy's records have no responsible officer, so its alerts go to
// every monitoring officer (team role "officer"), and to managers as well
// when escalated. The rules are created by migrations/00180_cil_alerts.sql.
//
// "The regulations" are the Community Infrastructure Levy Regulations 2010
// (SI 2010/948) as amended.
const (
	RuleCILInstalmentDue  = "cil-instalment-due"
	RuleCILCommencement   = "cil-commencement"
	RuleCILReliefClawback = "cil-relief-clawback"
	RuleCILParishPayment  = "cil-parish-payment"
	RuleCILParishUnspent  = "cil-parish-unspent"
)

// cilRulePrefix starts every levy rule's code.
const cilRulePrefix = "cil-"

// cilRulesShown is the condition on alert_rules (as r) under which a rule
// is listed: the levy's rules only where the council charges the levy (it
// has a charging schedule or a chargeable development), so a council
// without it sees its rules page and inbox filter as before.
const cilRulesShown = `(code NOT LIKE 'cil-%' OR EXISTS (SELECT 1 FROM cil_schedules) OR EXISTS (SELECT 1 FROM cil_developments))`

// cilCandidates is the candidate query of a levy rule.
func cilCandidates(code string) (string, bool) {
	switch code {
	case RuleCILInstalmentDue:
		return cilInstalmentCandidates, true
	case RuleCILCommencement:
		return cilCommencementCandidates, true
	case RuleCILReliefClawback:
		return cilReliefCandidates, true
	case RuleCILParishPayment:
		return cilParishPaymentCandidates, true
	case RuleCILParishUnspent:
		return cilParishUnspentCandidates, true
	}
	return "", false
}

// cilTitle says what a levy alert is about; ok is false for other rules.
func cilTitle(a Alert) (string, bool) {
	switch a.RuleCode {
	case RuleCILInstalmentDue:
		if a.Threshold == "overdue" {
			return "CIL instalment overdue", true
		}
		return "CIL instalment due in " + a.Threshold, true
	case RuleCILCommencement:
		if a.Threshold == "works started" {
			return "CIL commencement not notified: works reported started", true
		}
		return "CIL commencement not notified " + a.Threshold + " after permission", true
	case RuleCILReliefClawback:
		if a.Threshold == "disqualifying event" {
			return "CIL relief at risk: disqualifying event recorded", true
		}
		return "CIL relief clawback period ends in " + a.Threshold, true
	case RuleCILParishPayment:
		// The threshold is "<parish code> · <days or overdue>".
		_, when, _ := strings.Cut(a.Threshold, " · ")
		if when == "overdue" {
			return "Neighbourhood CIL payment to a parish overdue", true
		}
		return "Neighbourhood CIL due to a parish in " + when, true
	case RuleCILParishUnspent:
		if a.Threshold == "passed" {
			return "Parish CIL unspent after five years", true
		}
		return "Parish CIL unspent: five years end in " + a.Threshold, true
	}
	return "", false
}

// cilNoObligation are the candidate columns the levy's alerts do not use.
const cilNoObligation = `
	NULL::bigint AS agreement_id, NULL::bigint AS obligation_id, NULL::bigint AS officer_id,
	''::text AS service_area, ''::text AS contact_name, ''::text AS contact_email,
	'officer' AS team_role`

// cilMoney writes an amount as £1,234.50 in a detail.
func cilMoney(expr string) string {
	return `'£' || to_char(` + expr + `, 'FM999,999,999,990.00')`
}

func cilDate(expr string) string { return `to_char(` + expr + `, 'FMDD FMMonth YYYY')` }

// cilStandingDemands are the demand notices in effect: "Where a collecting
// authority serves a demand notice on a person, any earlier demand notice
// served on that person in respect of the same chargeable development
// ceases to have effect" (regulation 69(5), as made), so a notice a later
// one supersedes is left out.
const cilStandingDemands = `
	(SELECT dn.* FROM cil_demand_notices dn
	 WHERE NOT EXISTS (SELECT 1 FROM cil_demand_notices s WHERE s.supersedes_id = dn.id)) dn`

// An instalment of a demand notice in effect that is not paid in full:
// "A demand notice must ... (e) state the amount payable by the person on
// whom the notice is served ... and the day on which payment of the amount
// is due; (f) where the amount payable is to paid by way of instalments,
// state the amount of each instalment and the day on which payment of the
// instalment is due" (regulation 69(2), as made). Paid is what standing
// receipts set against the instalment (cil_receipt_instalments). One
// alert at the tightest threshold reached (days before the due day), and
// one once the due day has passed ("overdue", escalated to managers: a
// late payment surcharge, regulation 85, may follow).
var cilInstalmentCandidates = `
	SELECT 'cil-instalment' AS st, i.id AS sid,
	       CASE WHEN i.due_on < p.today THEN 'overdue' ELSE m.n || CASE WHEN m.n = 1 THEN ' day' ELSE ' days' END END AS thr,
	       dn.reference || ' · ' || cd.reference || ' · ' || left(cd.description, 60) AS label,
	       '/cil/demand-notices/' || dn.id AS link,
	       'Instalment ' || i.seq || ' of ' || ` + cilMoney("i.amount") + ` || ' due on ' || ` + cilDate("i.due_on") +
	`|| '; ' || ` + cilMoney("pd.paid") + ` || ' paid. Demand notice issued on ' || ` + cilDate("dn.issued_on") + ` AS detail,
	       i.amount - pd.paid AS amount, NULL::int AS homes, i.due_on AS deadline,` + cilNoObligation + `,
	       i.due_on < p.today AS escalated
	FROM p CROSS JOIN cil_instalments i
	JOIN ` + cilStandingDemands + ` ON dn.id = i.demand_notice_id
	JOIN cil_developments cd ON cd.id = dn.cil_development_id
	CROSS JOIN LATERAL (SELECT coalesce(sum(ri.amount), 0) AS paid
	                    FROM cil_receipt_instalments ri JOIN cil_ledger_effective e ON e.id = ri.receipt_id
	                    WHERE ri.instalment_id = i.id) pd
	LEFT JOIN LATERAL (SELECT min(t) AS n FROM unnest(p.th) t WHERE p.today >= i.due_on - t) m ON true
	WHERE pd.paid < i.amount AND (i.due_on < p.today OR m.n IS NOT NULL)`

// A chargeable development with a liability notice in effect and no
// commencement notice (one not withdrawn) nor deemed commencement date,
// nor a demand notice (which states the commencement date, regulation
// 69(2)(d)): "a commencement notice must be submitted to the collecting
// authority no later than the day before the day on which the chargeable
// development is to be commenced" (regulation 67(1), as made). One alert
// per threshold passed since the permission first permitted the
// development (months), and one when works are reported started: a
// section 106 obligation of the same development triggered on
// commencement is recorded met (the council then determines a deemed
// commencement date, regulation 68).
var cilCommencementCandidates = `
	SELECT 'cil-development' AS st, cd.id AS sid, x.thr,
	       cd.reference || ' · ' || left(cd.description, 60) AS label,
	       '/cil/developments/' || cd.id || '/notices' AS link,
	       x.detail, ln.amount, NULL::int AS homes, x.deadline,` + cilNoObligation + `,
	       false AS escalated
	FROM p CROSS JOIN cil_developments cd
	JOIN LATERAL (SELECT sum(l.chargeable_amount - l.relief_amount) AS amount, min(l.issued_on) AS issued_on
	              FROM cil_liability_notices l
	              WHERE l.cil_development_id = cd.id
	                AND NOT EXISTS (SELECT 1 FROM cil_liability_notices s WHERE s.supersedes_id = l.id)) ln ON ln.issued_on IS NOT NULL
	CROSS JOIN LATERAL (
		SELECT t || CASE WHEN t = 1 THEN ' month' ELSE ' months' END AS thr,
		       (cd.permission_date + make_interval(months => t))::date AS deadline,
		       'Permission first permitted the development on ' || ` + cilDate("cd.permission_date") + ` ||
		         '; liability notice issued on ' || ` + cilDate("ln.issued_on") + ` || '; no commencement notice received' AS detail
		FROM unnest(p.th) t
		WHERE p.today > (cd.permission_date + make_interval(months => t))::date
		UNION ALL
		SELECT 'works started', w.met_on,
		       'Works reported started: ' || w.agreement || ' obligation ' || w.clause || ' (triggered on commencement) met on ' ||
		         ` + cilDate("w.met_on") + ` || '; no commencement notice received'
		FROM (SELECT max(e.event_date) AS met_on, min(a.reference) AS agreement,
		             min(coalesce(nullif(o.clause_ref, ''), '#' || o.id)) AS clause
		      FROM agreements a
		      JOIN obligations o ON o.agreement_id = a.id
		      JOIN obligation_events_effective e ON e.obligation_id = o.id AND e.kind = 'trigger-met'
		      WHERE a.development_id = cd.development_id AND o.trigger_type = 'commencement'
		        AND o.archived_at IS NULL AND a.archived_at IS NULL AND e.event_date <= p.today) w
		WHERE w.met_on IS NOT NULL
	) x
	WHERE NOT EXISTS (SELECT 1 FROM cil_commencements c WHERE c.cil_development_id = cd.id AND c.withdrawn_on IS NULL)
	  AND NOT EXISTS (SELECT 1 FROM cil_demand_notices d WHERE d.cil_development_id = cd.id)`

// A granted relief or exemption within its clawback period ("clawback
// period" means, for the residential annex and self-build exemptions, "the
// period of three years beginning with the date of the compliance
// certificate", and (unverified) for all other purposes seven years from
// commencement: regulation 2, as substituted by SI 2014/385 reg 3(1)(a);
// the period's last day is cil_reliefs.clawback_ends). Social housing
// relief: "This regulation applies whenever a disqualifying event occurs
// before the end of the clawback period in respect of a chargeable
// development for which social housing relief has been granted"
// (regulation 53(1)); self-build: "if an exemption for self-build housing
// is granted and a disqualifying event occurs before the end of the
// clawback period" (regulation 54D(1)). At risk: a disqualifying event is
// recorded (the relief withdrawn on a day within the period) and nothing
// is yet clawed back; or the period ends within the threshold (months) and
// the officer should check the conditions still hold before it lapses.
var cilReliefCandidates = `
	SELECT 'cil-relief' AS st, r.id AS sid, x.thr,
	       cd.reference || ' · ' || replace(r.kind, '-', ' ') || ' relief' AS label,
	       '/cil/reliefs/' || r.id AS link,
	       x.detail, r.amount, NULL::int AS homes, x.deadline,` + cilNoObligation + `,
	       false AS escalated
	FROM p CROSS JOIN cil_reliefs r
	JOIN cil_developments cd ON cd.id = r.cil_development_id
	CROSS JOIN LATERAL (
		SELECT 'disqualifying event' AS thr, r.withdrawn_on AS deadline,
		       'Disqualifying event recorded on ' || ` + cilDate("r.withdrawn_on") +
	` || coalesce(' (' || nullif(r.withdrawal_reason, '') || ')', '') ||
		         '; the relief granted on ' || ` + cilDate("r.decided_on") + ` || ' is not yet clawed back' AS detail
		WHERE r.withdrawn_on IS NOT NULL AND r.clawed_back IS NULL
		  AND (r.clawback_ends IS NULL OR r.withdrawn_on <= r.clawback_ends)
		UNION ALL
		SELECT min(t) || CASE WHEN min(t) = 1 THEN ' month' ELSE ' months' END, r.clawback_ends,
		       'Relief granted on ' || ` + cilDate("r.decided_on") + ` || '; its clawback period ends on ' || ` + cilDate("r.clawback_ends") + `
		FROM unnest(p.th) t
		WHERE r.withdrawn_on IS NULL AND p.today <= r.clawback_ends
		  AND p.today >= (r.clawback_ends - make_interval(months => t))::date
		HAVING min(t) IS NOT NULL
	) x
	WHERE r.decision = 'granted' AND r.amount > 0`

// cilHalfYearPaymentDay is the day by which the neighbourhood portion of a
// receipt dated e.entry_date must be passed to the parish: "a charging
// authority must pay a local council the CIL receipts it is required to
// pass to the local council under regulation 59A or 59B in respect of CIL
// receipts received by the charging authority— (a) between 1st April and
// 30th September, by 28th October in that financial year; (b) between 1st
// October and 31st March, by 28th April in the following financial year"
// (regulation 59D(1): the words could not be checked on legislation.gov.uk
// from here; the dates are confirmed by councils' own summaries, e.g.
// "payment dates of 28 October and 28 April for the preceding six months").
const cilHalfYearPaymentDay = `
	CASE WHEN extract(month FROM e.entry_date) BETWEEN 4 AND 9 THEN make_date(extract(year FROM e.entry_date)::int, 10, 28)
	     WHEN extract(month FROM e.entry_date) >= 10 THEN make_date(extract(year FROM e.entry_date)::int + 1, 4, 28)
	     ELSE make_date(extract(year FROM e.entry_date)::int, 4, 28) END`

// The neighbourhood portion of a half-year's receipts not yet passed to a
// parish that takes its portion, by the payment day of 59D. Payments to
// the parish are set against its half-years oldest first: what is still
// owed for a half-year is its portion, less what the parish's payments
// (all of them) leave after the earlier half-years. One alert at the
// tightest threshold reached (days before the payment day) and one once
// the day has passed ("overdue", escalated).
var cilParishPaymentCandidates = `
	SELECT 'cil-parish-half-year' AS st, to_char(h.due, 'YYYYMMDD')::bigint AS sid,
	       h.parish_code || ' · ' || CASE WHEN h.due < p.today THEN 'overdue' ELSE m.n || CASE WHEN m.n = 1 THEN ' day' ELSE ' days' END END AS thr,
	       pa.name || ' (' || pa.code || ')' AS label,
	       '/cil/parishes/' || pa.code AS link,
	       'Neighbourhood portion of CIL received in the half-year to ' ||
	         ` + cilDate("(CASE WHEN extract(month FROM h.due) = 10 THEN make_date(extract(year FROM h.due)::int, 9, 30) ELSE make_date(extract(year FROM h.due)::int, 3, 31) END)") + `
	         || ': ' || ` + cilMoney("h.owed") + ` || ', to be passed to ' || coalesce(nullif(pa.council_name, ''), pa.name) || ' by ' || ` + cilDate("h.due") + ` AS detail,
	       least(h.owed, h.cum - coalesce(pp.paid, 0)) AS amount, NULL::int AS homes, h.due AS deadline,` + cilNoObligation + `,
	       h.due < p.today AS escalated
	FROM p CROSS JOIN (
		SELECT x.parish_code, x.due, x.owed, sum(x.owed) OVER (PARTITION BY x.parish_code ORDER BY x.due) AS cum
		FROM (SELECT rp.parish_code, ` + cilHalfYearPaymentDay + ` AS due, sum(rp.amount) AS owed
		      FROM cil_receipt_portions rp JOIN cil_ledger_effective e ON e.id = rp.receipt_id
		      WHERE rp.portion = 'neighbourhood' AND e.kind = 'receipt'
		      GROUP BY 1, 2) x
		WHERE x.owed > 0) h
	JOIN cil_parishes pa ON pa.code = h.parish_code AND pa.receives_cil
	LEFT JOIN (SELECT e.parish_code, sum(e.amount) AS paid FROM cil_ledger_effective e
	           WHERE e.kind = 'parish-payment' GROUP BY 1) pp ON pp.parish_code = h.parish_code
	LEFT JOIN LATERAL (SELECT min(t) AS n FROM unnest(p.th) t WHERE p.today >= h.due - t) m ON true
	WHERE h.cum > coalesce(pp.paid, 0) AND (h.due < p.today OR m.n IS NOT NULL)`

// Money passed to a parish and not applied within five years. Regulation
// 59E lets the charging authority require the parish to repay CIL it "has
// not applied ... within five years" of receiving it (the words could not
// be checked on legislation.gov.uk from here: research notes section 1.10).
// The parish reports what it spent each year (regulation 121B(2)(b): "the
// total CIL expenditure for the reported year"), recorded in
// cil_parish_reports. Each payment's five years run from the day it was
// passed, and what the parish has dealt with (its reported spending, and
// what the council has recovered or served notice to recover, whichever is
// more) is set against the payments oldest first. One alert per payment
// at the tightest threshold reached (months before the five years end)
// and one once they have ended ("passed", escalated).
var cilParishUnspentCandidates = `
	SELECT 'cil-parish-payment' AS st, py.id AS sid,
	       CASE WHEN py.ends < p.today THEN 'passed' ELSE m.n || CASE WHEN m.n = 1 THEN ' month' ELSE ' months' END END AS thr,
	       pa.name || ' (' || pa.code || ')' AS label,
	       '/cil/parishes/' || pa.code AS link,
	       ` + cilMoney("py.amount") + ` || ' passed to ' || coalesce(nullif(pa.council_name, ''), pa.name) || ' on ' || ` + cilDate("py.entry_date") +
	` || ' is not reported spent nor recovered; its five years end on ' || ` + cilDate("py.ends") + ` AS detail,
	       least(py.amount, py.cum - dl.dealt) AS amount, NULL::int AS homes, py.ends AS deadline,` + cilNoObligation + `,
	       py.ends < p.today AS escalated
	FROM p CROSS JOIN (
		SELECT e.id, e.parish_code, e.entry_date, e.amount,
		       (e.entry_date + interval '5 years' - interval '1 day')::date AS ends,
		       sum(e.amount) OVER (PARTITION BY e.parish_code ORDER BY e.entry_date, e.id) AS cum
		FROM cil_ledger_effective e WHERE e.kind = 'parish-payment') py
	JOIN cil_parishes pa ON pa.code = py.parish_code
	CROSS JOIN LATERAL (
		SELECT coalesce((SELECT sum(r.spent) FROM cil_parish_reports r WHERE r.parish_code = py.parish_code), 0) +
		       greatest(coalesce((SELECT sum(e.amount) FROM cil_ledger_effective e WHERE e.kind = 'parish-recovery' AND e.parish_code = py.parish_code), 0),
		                coalesce((SELECT sum(n.amount) FROM cil_recovery_notices n WHERE n.parish_code = py.parish_code), 0)) AS dealt) dl
	LEFT JOIN LATERAL (SELECT min(t) AS n FROM unnest(p.th) t
	                   WHERE p.today >= (py.ends - make_interval(months => t))::date) m ON true
	WHERE py.cum > dl.dealt AND (py.ends < p.today OR m.n IS NOT NULL)`
