package imports

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The Community Infrastructure Levy rows of the developer-contributions
// data standard import into the levy's own tables (migrations/00160_cil.sql
// and 00185), the inverse of internal/datastandard/cil.go, in the same
// transaction as the section 106 rows beside them.
//
// What the standard's guidance says, and how each row is read
// (digital-land/digital-land, content/guidance/developer-contributions/
// create-your-csv-files.md at df6b0752):
//
//   - developer-agreement, type community-infrastructure-levy (or "CIL"):
//     "A developer agreement is any legal document that secures
//     contributions ... or any demand notice for CIL", and its start-date
//     "For CIL, enter the date the demand notice was issued". One row is one
//     demand notice (cil_demand_notices, reference and import_ref = the
//     row's reference, issued_on = start-date). Its chargeable development
//     (cil_developments) is its planning-application: notices for one
//     application share it. The files hold no liability notice, permission
//     date or commencement date, which the tables require: the import
//     records a liability notice for the amount demanded whose calculation
//     says it was imported, and takes the notice's date for the permission
//     and commencement dates, saying so in the development's notes. The
//     end-date is the last day a superseded notice was in effect ("If the
//     original ... CIL demand notice is superseded by a new version ...
//     enter the date on which the new version was agreed"): the notice for
//     the same application and levy issued on or after it supersedes it.
//   - developer-agreement-contribution: "For CIL, the total sum should be
//     split into separate developer agreement contributions with the
//     contribution-purpose as either CIL, CIL administration, Neighbourhood
//     CIL or as Mayoral CIL. If the CIL is being paid by instalments, each
//     instalment should be recorded separately." Each row is one share of
//     the notice (cil_demand_contributions), every row counted, repeats
//     included: councils repeat a contribution's reference for each
//     instalment (Wiltshire) and for the borough's and the Mayor's
//     administration shares (Islington). The standard has no due date: the
//     export names it (", due 2025-04-01"); else the contribution's
//     start-date is taken, which the guidance makes the notice's date ("For
//     CIL, enter the date the demand notice was issued"), so an unpaid
//     instalment imported from a council's files is due from the notice's
//     date. Shares due on one day make one instalment
//     (cil_instalments); the notice's amount is their sum. Mayoral CIL shares of a notice that also has the council's
//     levy are the Mayor's notice (charging authority 'mayor'), reference
//     + "/mayoral": a demand notice is one charging authority's.
//   - developer-agreement-transaction, by contribution-funding-status:
//     'secured' ("For CIL, the demand notice has been issued") is the amount
//     demanded, which the shares already hold: nothing is recorded.
//     'received' is a receipt (cil_ledger_entries, kind receipt) whose one
//     portion is the share's purpose (cil_receipt_portions: strategic,
//     neighbourhood, admin, mayor), paying the notice's instalments in due
//     order (cil_receipt_instalments); a negative one, or 'returned', is
//     money repaid. 'transferred' ("transferred to an organisation outside
//     the planning authority ... who will spend the money") on the
//     neighbourhood purpose is money passed to a parish (parish-payment) —
//     the guidance does not say this in words; it follows from the purpose
//     and the status —, on the Mayoral purpose money paid to the Mayor
//     (mayor-payment), and on the administration purpose money applied to
//     administrative expenses (admin: Cheltenham marks its retained 5% so;
//     the authority cannot transfer its own expenses elsewhere, so the row
//     is read as applied, with a warning). 'allocated' and 'spent' (and
//     'transferred' on the levy's own purpose: regulation 58A's "CIL
//     expenditure" includes "CIL receipts transferred by a charging
//     authority to another person to spend on infrastructure") are
//     allocation and spend of the strategic pot (the neighbourhood pot for
//     the neighbourhood purpose) on a project named by the row's name, as
//     the export writes it, else one per purpose.
//
// Where the councils' files differ from the guidance (research notes 3.4):
//
//   - Wiltshire's transactions name the agreement, not a contribution: when
//     every share of that notice has one purpose, the row is read as that
//     purpose's, with a warning. Its notices publish only the
//     administration and neighbourhood shares: imported as published.
//   - Islington's "neighbourhood-community-infrastructure-levy" rows are
//     92-95% of its own levy (the rest is administration). The most
//     regulation 59A passes to a parish is a quarter: 59A(3) "the charging
//     authority must pass 25 per cent of the relevant CIL receipts to the
//     parish council for that area" where a neighbourhood plan is in place,
//     15 per cent otherwise (59A(5)). A neighbourhood share above a quarter
//     (exactly a quarter is lawful; the pennies' rounding is allowed for)
//     of a notice that also has other shares cannot be the neighbourhood
//     portion, so its receipts are the strategic remainder, with a warning
//     (the share keeps the purpose the council published). (Checked
//     against legislation.gov.uk, uksi/2010/948/regulation/59A/2022-12-01
//     and uksi/2013/982/regulation/8, which inserted 58A.)
//   - Islington gives each notice two cil-administration-costs rows under
//     one id: 5% of its own levy and 4% of the Mayor's (the collecting
//     authority's allowance). The purpose does not say whose levy a row
//     is, so both are the council's notice's administration share, as
//     published; a transaction naming the id is placed by the file's extra
//     developer-agreement column and its amount. Its agreement start-dates
//     (2016 for notices whose contributions start in 2019) look like
//     permission dates; the guidance says the notice's date, and they are
//     taken as that, as published.
//   - Cheltenham's administration share is 'transferred' with no
//     'received' row: money applied must have been received, so a receipt
//     of the shortfall is implied on the same date ("#implied-receipt"),
//     with a warning, as the section 106 import implies them.
//   - A neighbourhood portion needs its parish (59A pays "the parish
//     council for that area"), which the standard has no column for: the
//     export names it in the row's name ("[parish CODE]"), and a council's
//     file without it imports to the development's parish, else to a
//     parish "not recorded" to be put right by the officer.
//   - The government's IFS prototype filters the type 'cil' (the 2019
//     code); the code list and the files use community-infrastructure-levy.
//     Both are read.

// Levy purposes, as the code list names them.
const (
	purposeCIL    = "community-infrastructure-levy"
	purposeMayor  = "mayoral-community-infrastructure-levy"
	purposeNbhd   = "neighbourhood-community-infrastructure-levy"
	purposeAdmin  = "cil-administration-costs"
	notRecorded   = "not-recorded"
	mayoralSuffix = "/mayoral"
	mayoralName   = " (Mayoral CIL)" // the export's name of the Mayor's notice
)

// cilPurpose reads a levy purpose as councils write it ("" if it is none).
func cilPurpose(v string) string {
	switch c := compact(v); {
	case strings.Contains(c, "mayor") || c == "mcil":
		return purposeMayor
	case strings.Contains(c, "neighbourhood") || c == "ncil" || c == "localcil":
		return purposeNbhd
	case strings.Contains(c, "admin"):
		return purposeAdmin
	case c == "communityinfrastructurelevy" || c == "cil" || c == "strategiccil":
		return purposeCIL
	}
	return ""
}

// portionOf is the receipt portion a purpose's money is.
var portionOf = map[string]string{purposeCIL: "strategic", purposeNbhd: "neighbourhood", purposeAdmin: "admin", purposeMayor: "mayor"}

// dueInName reads the day an instalment is due from the name the export
// gives its contribution.
var dueInName = regexp.MustCompile(`, due ([0-9]{4}-[0-9]{2}-[0-9]{2})$`)

// instalmentInName reads the instalment the export names (", instalment 2
// of 3, due ..."): two instalments can fall due on one day (a surcharge
// demanded with the levy, regulation 83), and only the name tells them
// apart.
var instalmentInName = regexp.MustCompile(`, instalment ([0-9]+) of [0-9]+, due [0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// parishInName reads the parish the export names: "... [parish CODE]",
// with its name before the bracket after " — ".
var parishInName = regexp.MustCompile(`^(?:.*—\s*)?(.*?)\s*\[parish ([^\]]+)\]\s*$`)

type cilPlan struct {
	agreementFile, contributionFile, transactionFile *dsTable
	aRows, cRows, tRows                              []dsRow
	notices                                          []*cilNotice
	moves                                            []*cilMove
	parishNames                                      map[string]string
	// From the database, each pass.
	existingNotices map[string]existingNotice
	noticeRefs      map[string]bool
	existingEntries map[string]bool
	devs            map[string]existingCILDev
	parishes        map[string]bool
	receives        map[string]bool // receives_cil of the parishes recorded
	// Parishes the import creates whose neighbourhood portion the council
	// keeps (receives_cil false, regulation 59F), decided by cilParishes.
	keeps map[string]bool
}

type existingNotice struct {
	id, devID int64
	amount    decimal.Decimal
}

type existingCILDev struct {
	id     int64
	parish string
}

type cilNotice struct {
	ref       string
	agreement string // the agreement's reference, upper case
	name      string // the development's, as the export writes it
	row       dsRow
	authority string
	app       string
	issued    time.Time
	end       *time.Time
	shares    []*cilShare
	insts     []*cilInst
	nbhdIsStr bool
	sup       *cilNotice // the notice it supersedes
	skip      bool
	id, devID int64
	liability int64 // its liability notice, once written
}

type cilShare struct {
	row     dsRow
	ref     string
	purpose string
	amount  decimal.Decimal
	due     time.Time
	seq     int // the instalment the export names, else 0
	inst    *cilInst
	notice  *cilNotice
}

type cilInst struct {
	seq    int
	due    time.Time
	amount decimal.Decimal
	paid   decimal.Decimal
	id     int64
}

type cilMove struct {
	row      dsRow
	ref      string
	kind     string // receipt, repayment, parish-payment, mayor-payment, admin, allocation, spend
	portion  string
	notice   *cilNotice
	date     time.Time
	amount   decimal.Decimal
	parish   string
	project  string
	implied  bool
	skip     bool
	existing bool
	// A receipt's other purposes' rows of the same payment (same notice,
	// same date), written with it as one receipt; joined marks them.
	with   []*cilMove
	joined bool
}

// cilError reports a CIL row that cannot be taken.
func cilError(rep *Report, t *dsTable, r dsRow, col, cause, format string, args ...any) {
	rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own[col], Value: r.get(col), Cause: cause,
		Message: fmt.Sprintf(format, args...), Money: dsMoney(r)})
}

func cilWarn(rep *Report, t *dsTable, r dsRow, col, format string, args ...any) {
	rep.Issues = append(rep.Issues, Issue{File: t.name, Row: r.num, Column: t.own[col], Value: r.get(col), Warning: true,
		Message: fmt.Sprintf(format, args...), Money: dsMoney(r)})
}

// build reads the CIL rows collected by translateDataStandard into demand
// notices, their shares and instalments, and the moves of money, reporting
// each row it cannot take by file, row and column.
func (p *cilPlan) build(rep *Report, s106Agreements map[string]bool) {
	p.parishNames = map[string]string{}
	// Demand notices.
	byRef := map[string][]*cilNotice{} // agreement reference → its notices (the council's, the Mayor's)
	leftOut := map[string]int{}        // agreement reference → the row left out
	if t := p.agreementFile; t != nil {
		groups := map[string][]dsRow{}
		var order []string
		for _, r := range p.aRows {
			k := up(r.get("reference"))
			if k == "" {
				cilError(rep, t, r, "reference", CauseInvalid, "a CIL demand notice needs its reference")
				continue
			}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], r)
		}
		for _, k := range order {
			r := pick(rep, t, "CIL demand notice", groups[k], func(dsRow) string { return "" })
			issued, ok := parseDate(r.get("start-date"))
			if !ok {
				msg := "the date the demand notice was issued is required (the guidance: \"For CIL, enter the date the demand notice was issued\")"
				if r.get("start-date") != "" {
					msg = fmt.Sprintf("%q is not a date; %s", r.get("start-date"), msg)
				}
				cilError(rep, t, r, "start-date", CauseInvalid, "%s", msg)
				leftOut[k] = r.num
				continue
			}
			n := &cilNotice{ref: r.get("reference"), agreement: k, name: strings.TrimSuffix(r.get("name"), mayoralName), row: r, authority: "council", app: r.get("planning-application"), issued: issued}
			if n.app == "" {
				n.app = n.ref
				cilWarn(rep, t, r, "planning-application", "no planning-application: the chargeable development is named after the demand notice, %s", n.ref)
			}
			if e := r.get("end-date"); e != "" {
				if d, ok := parseDate(e); ok {
					n.end = &d
				} else {
					cilWarn(rep, t, r, "end-date", "%q is not a date; the demand notice imports as standing", e)
				}
			}
			byRef[k] = []*cilNotice{n}
		}
	}
	noticeFor := func(k, authority string) *cilNotice {
		ns := byRef[k]
		for _, n := range ns {
			if n.authority == authority {
				return n
			}
		}
		if len(ns) == 0 {
			return nil
		}
		// The Mayor's notice beside the council's, for the same agreement.
		c := ns[0]
		m := &cilNotice{ref: c.ref + mayoralSuffix, agreement: c.agreement, name: c.name, row: c.row, authority: "mayor", app: c.app, issued: c.issued, end: c.end}
		byRef[k] = append(byRef[k], m)
		return m
	}

	// Shares.
	shareRefs := map[string][]*cilShare{}
	// The contribution rows of a notice left out for a fault: a notice is
	// never changed once written, so one missing a share is not written
	// at all, and comes in whole once the file is put right.
	faulty := map[string][]int{}
	droppedShares := map[string]*cilNotice{}
	if t := p.contributionFile; t != nil {
		for _, r := range p.cRows {
			ag := up(r.get("developer-agreement"))
			purpose := cilPurpose(r.get("contribution-purpose"))
			switch {
			case byRef[ag] == nil && leftOut[ag] != 0:
				cilError(rep, t, r, "developer-agreement", CauseInvalid, "belongs to the CIL demand notice %s, which is left out (developer-agreement row %d)", r.get("developer-agreement"), leftOut[ag])
				droppedShares[up(r.get("reference"))] = &cilNotice{ref: r.get("developer-agreement"), row: dsRow{num: leftOut[ag]}}
				continue
			case byRef[ag] == nil && s106Agreements[ag]:
				cilError(rep, t, r, "contribution-purpose", CauseFile, "%s is a purpose of the levy, but %s is a section 106 agreement: a CIL contribution belongs to a CIL demand notice (developer-agreement-type community-infrastructure-levy)",
					r.get("contribution-purpose"), r.get("developer-agreement"))
				continue
			case byRef[ag] == nil:
				cilError(rep, t, r, "developer-agreement", CauseFile, "no CIL demand notice %q in the developer-agreement file", r.get("developer-agreement"))
				continue
			case purpose == "":
				// The file contradicts itself (Wiltshire's row 428: a section
				// 106 education contribution naming a CIL notice of another
				// application): it names the wrong agreement.
				cilError(rep, t, r, "contribution-purpose", CauseFile, "%q is not a purpose of the levy, but %s is a CIL demand notice (planning application %s), which is split into %s, %s, %s and %s: the row names the wrong agreement",
					r.get("contribution-purpose"), r.get("developer-agreement"), byRef[ag][0].app, purposeCIL, purposeNbhd, purposeAdmin, purposeMayor)
				continue
			}
			amount, ok := parseMoney(r.get("amount"))
			switch {
			case !ok:
				cilError(rep, t, r, "amount", CauseInvalid, "%q is not an amount of money", r.get("amount"))
				faulty[ag] = append(faulty[ag], r.num)
				continue
			case amount.IsNegative():
				cilError(rep, t, r, "amount", CauseInvalid, "a negative amount cannot be demanded; a lower demand is a revised notice")
				faulty[ag] = append(faulty[ag], r.num)
				continue
			case amount.IsZero():
				cilWarn(rep, t, r, "amount", "an amount of £0.00: nothing demanded, so no share of the notice is recorded")
				continue
			case amount.GreaterThanOrEqual(decimal.NewFromInt(1_000_000_000)):
				cilError(rep, t, r, "amount", CauseInvalid, "£%s is more than the levy's ledger can hold (under £1,000,000,000)", amount.StringFixed(2))
				faulty[ag] = append(faulty[ag], r.num)
				continue
			}
			authority := "council"
			if purpose == purposeMayor {
				authority = "mayor"
			}
			n := noticeFor(ag, authority)
			due := n.issued
			if m := dueInName.FindStringSubmatch(r.get("name")); m != nil {
				// The export names the day the instalment is due.
				due, _ = time.Parse(time.DateOnly, m[1])
			} else if s := r.get("start-date"); s != "" {
				d, ok := parseDate(s)
				if !ok {
					cilError(rep, t, r, "start-date", CauseInvalid, "%q is not a date (the day the instalment is due)", s)
					faulty[ag] = append(faulty[ag], r.num)
					continue
				}
				due = d
			}
			sh := &cilShare{row: r, ref: r.get("reference"), purpose: purpose, amount: amount, due: due, notice: n}
			if m := instalmentInName.FindStringSubmatch(r.get("name")); m != nil {
				fmt.Sscan(m[1], &sh.seq)
			}
			if sh.ref == "" {
				sh.ref = n.ref + "/" + purpose
			}
			n.shares = append(n.shares, sh)
			shareRefs[up(sh.ref)] = append(shareRefs[up(sh.ref)], sh)
		}
	}
	for ag, nums := range faulty {
		ns := byRef[ag]
		rows := make([]string, len(nums))
		for i, n := range nums {
			rows[i] = fmt.Sprint(n)
		}
		cilError(rep, p.agreementFile, ns[0].row, "reference", CauseInvalid, "the CIL demand notice %s cannot be written without its contributions on rows %s of the contribution file, which are left out",
			ns[0].ref, strings.Join(rows, ", "))
		leftOut[ag] = ns[0].row.num
		for _, n := range ns {
			for _, sh := range n.shares {
				cilError(rep, p.contributionFile, sh.row, "developer-agreement", CauseInvalid, "belongs to the CIL demand notice %s, which is left out (developer-agreement row %d)", n.ref, n.row.num)
				k := up(sh.ref)
				shareRefs[k] = filterShares(shareRefs[k], func(s *cilShare) bool { return s.notice.agreement != ag })
				if len(shareRefs[k]) == 0 {
					delete(shareRefs, k)
				}
				droppedShares[k] = n
			}
		}
		delete(byRef, ag)
	}
	// A notice holding only the Mayor's shares is the Mayor's notice.
	for k, ns := range byRef {
		if len(ns) == 2 && len(ns[0].shares) == 0 {
			m := ns[1]
			m.ref = ns[0].ref
			byRef[k] = []*cilNotice{m}
		}
	}
	var keys []string
	for k := range byRef {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	quarter, halfPenny := decimal.RequireFromString("0.25"), decimal.RequireFromString("0.005")
	for _, k := range keys {
		for _, n := range byRef[k] {
			if len(n.shares) == 0 {
				// Written without its shares, a notice could never take
				// them later (a notice is never changed).
				cilWarn(rep, p.agreementFile, n.row, "reference", "the CIL demand notice %s has no contributions with money in the contribution file, so it is not imported: import it with its contributions", n.ref)
				continue
			}
			p.notices = append(p.notices, n)
			// 59A(3): the neighbourhood portion is at most 25 per cent
			// ("must pass 25 per cent"), so a share of exactly a quarter is
			// the neighbourhood portion. Each share is a sum of pennies,
			// rounded to the nearest penny from its receipt (half a penny
			// up at most, as internal/cil/portions.go rounds), so a quarter
			// is allowed half a penny per neighbourhood share above it.
			total, nbhd, others, nShares := decimal.Zero, decimal.Zero, false, int64(0)
			for _, s := range n.shares {
				total = total.Add(s.amount)
				if s.purpose == purposeNbhd {
					nbhd = nbhd.Add(s.amount)
					nShares++
				} else {
					others = true
				}
			}
			if others && nbhd.GreaterThan(total.Mul(quarter).Add(halfPenny.Mul(decimal.NewFromInt(nShares)))) {
				n.nbhdIsStr = true
				for _, s := range n.shares {
					if s.purpose == purposeNbhd && p.contributionFile != nil {
						cilWarn(rep, p.contributionFile, s.row, "contribution-purpose",
							"the neighbourhood share of demand notice %s is %s%% of it; regulation 59A(3) caps the neighbourhood portion at 25 per cent, so its receipts are imported as the strategic remainder (the share keeps the purpose published)",
							n.ref, nbhd.Div(total).Mul(decimal.NewFromInt(100)).StringFixed(1))
					}
				}
			}
			// Instalments: the shares due on one day (and of the
			// instalment the export names, where it does).
			type instKey struct {
				due time.Time
				seq int
			}
			byDay := map[instKey]*cilInst{}
			named := map[*cilInst]int{}
			for _, s := range n.shares {
				k := instKey{s.due, s.seq}
				in := byDay[k]
				if in == nil {
					in = &cilInst{due: s.due}
					byDay[k] = in
					named[in] = s.seq
					n.insts = append(n.insts, in)
				}
				in.amount = in.amount.Add(s.amount)
				s.inst = in
			}
			sort.SliceStable(n.insts, func(i, j int) bool {
				a, b := n.insts[i], n.insts[j]
				if !a.due.Equal(b.due) {
					return a.due.Before(b.due)
				}
				return named[a] < named[b]
			})
			for i, in := range n.insts {
				in.seq = i + 1
			}
		}
	}
	// Superseded notices: the next notice for the same application and levy
	// issued on or after the end-date.
	for _, n := range p.notices {
		if n.end == nil {
			continue
		}
		var next *cilNotice
		for _, m := range p.notices {
			if m != n && up(m.app) == up(n.app) && m.authority == n.authority && !m.issued.Before(*n.end) && m.issued.After(n.issued) &&
				(next == nil || m.issued.Before(next.issued)) {
				next = m
			}
		}
		if next == nil || next.sup != nil {
			cilWarn(rep, p.agreementFile, n.row, "end-date", "ended %s, but no later demand notice for %s replaces it in the file: imported as standing", n.end.Format("2 January 2006"), n.app)
			continue
		}
		next.sup = n
	}

	// Moves of money.
	t := p.transactionFile
	if t == nil {
		return
	}
	occurrences := map[string]int{}
	for _, r := range p.tRows {
		ob := r.get("developer-agreement-contribution")
		var n *cilNotice
		purpose := ""
		if ss := shareRefs[up(ob)]; len(ss) > 0 {
			// A reference repeated on contributions of different notices
			// or purposes (Islington's "-admin") is placed by the
			// transaction's own developer-agreement column (Islington's
			// file has one), then by its amount.
			cands := ss
			if ag := up(r.get("developer-agreement")); ag != "" && !oneNotice(cands) {
				cands = filterShares(cands, func(s *cilShare) bool { return s.notice.agreement == ag })
			}
			if a, ok := parseMoney(r.get("amount")); ok && !oneNotice(cands) {
				cands = filterShares(cands, func(s *cilShare) bool { return s.amount.Equal(a.Abs()) })
			}
			if len(cands) == 0 || !oneNotice(cands) {
				cilError(rep, t, r, "developer-agreement-contribution", CauseFile, "%q is the reference of %d contributions of different demand notices or purposes, and neither the row's developer-agreement nor its amount tells which, so the transaction cannot be placed", ob, len(ss))
				continue
			}
			if len(cands) < len(ss) && !oneNotice(ss) {
				cilWarn(rep, t, r, "developer-agreement-contribution", "%q is the reference of %d contributions of different demand notices or purposes; placed on demand notice %s by the row's developer-agreement and amount", ob, len(ss), cands[0].notice.ref)
			}
			n, purpose = cands[0].notice, cands[0].purpose
		} else if ns := byRef[up(ob)]; len(ns) == 1 {
			// The agreement named in place of its contribution.
			n = ns[0]
			for _, s := range n.shares {
				if purpose == "" {
					purpose = s.purpose
				} else if purpose != s.purpose {
					purpose = "mixed"
				}
			}
			if purpose == "" || purpose == "mixed" {
				cilError(rep, t, r, "developer-agreement-contribution", CauseFile, "%q is a demand notice, not one of its contributions, and its contributions have several purposes (or none): name the contribution", ob)
				continue
			}
			cilWarn(rep, t, r, "developer-agreement-contribution", "%q is a demand notice, not a contribution; every contribution of it is %s, so the transaction is read as that", ob, purpose)
		} else if n := droppedShares[up(ob)]; n != nil {
			cilError(rep, t, r, "developer-agreement-contribution", CauseInvalid, "belongs to the CIL demand notice %s, which is left out (developer-agreement row %d)", n.ref, n.row.num)
			continue
		} else if leftOut[up(ob)] != 0 {
			cilError(rep, t, r, "developer-agreement-contribution", CauseInvalid, "belongs to the CIL demand notice %s, which is left out (developer-agreement row %d)", ob, leftOut[up(ob)])
			continue
		} else {
			cilError(rep, t, r, "developer-agreement-contribution", CauseFile, "no CIL contribution %q in the contribution file", ob)
			continue
		}
		ref := r.get("reference")
		if ref == "" {
			cilError(rep, t, r, "reference", CauseInvalid, "a transaction needs its reference")
			continue
		}
		occurrences[up(ref)]++
		if c := occurrences[up(ref)]; c > 1 {
			ref = fmt.Sprintf("%s#%d", ref, c)
		}
		status := dsStatus(r.get("contribution-funding-status"))
		if status == "" {
			cilError(rep, t, r, "contribution-funding-status", CauseInvalid, "%q is not a contribution funding status (secured, received, allocated, spent, transferred or returned)", r.get("contribution-funding-status"))
			continue
		}
		if status == "secured" {
			continue // the amount demanded: the shares hold it
		}
		amount, ok := parseMoney(r.get("amount"))
		switch {
		case !ok:
			cilError(rep, t, r, "amount", CauseInvalid, "%q is not an amount of money", r.get("amount"))
			continue
		case amount.IsZero():
			cilWarn(rep, t, r, "amount", "an amount of £0.00: nothing to record in the levy's ledger")
			continue
		case amount.Abs().GreaterThanOrEqual(decimal.NewFromInt(1_000_000_000)):
			cilError(rep, t, r, "amount", CauseInvalid, "£%s is more than the levy's ledger can hold (under £1,000,000,000)", amount.Abs().StringFixed(2))
			continue
		}
		date := r.get("start-date")
		col := "start-date"
		if date == "" && r.get("entry-date") != "" {
			date, col = r.get("entry-date"), "entry-date"
			cilWarn(rep, t, r, "start-date", "no start-date: the entry-date %s is taken as the date of the transaction", date)
		}
		d, ok := parseDate(date)
		if !ok {
			cilError(rep, t, r, col, CauseInvalid, "%q is not a date (the day the money moved)", date)
			continue
		}
		m := &cilMove{row: r, ref: ref, notice: n, date: d, amount: amount.Abs(), portion: portionOf[purpose]}
		if n.nbhdIsStr && m.portion == "neighbourhood" {
			m.portion = "strategic"
		}
		name := r.get("name")
		if mm := parishInName.FindStringSubmatch(name); mm != nil {
			name, _, _ = strings.Cut(name, " — ")
			m.parish = strings.TrimSpace(mm[2])
			if mm[1] != "" {
				p.parishNames[m.parish] = mm[1]
			}
		}
		switch {
		case status == "received" && amount.IsPositive():
			m.kind = "receipt"
		case status == "received" || status == "returned":
			m.kind = "repayment"
		case status == "transferred" && m.portion == "neighbourhood":
			m.kind = "parish-payment"
		case status == "transferred" && m.portion == "mayor":
			m.kind = "mayor-payment"
		case m.portion == "admin" && (status == "transferred" || status == "spent"):
			m.kind = "admin"
			if status == "transferred" {
				cilWarn(rep, t, r, "contribution-funding-status", "administration money 'transferred': the authority applies it to its own administrative expenses (regulation 61), so it is recorded as applied to them")
			}
		case m.portion == "admin" || m.portion == "mayor":
			cilError(rep, t, r, "contribution-funding-status", CauseInvalid, "%s money cannot be %s: administration money is applied to expenses ('spent'), Mayoral CIL is paid to the Mayor ('transferred')", purpose, status)
			continue
		case status == "allocated" && amount.IsNegative():
			m.kind = "deallocation"
		case status == "allocated":
			m.kind = "allocation"
		case amount.IsNegative():
			cilError(rep, t, r, "amount", CauseInvalid, "a negative %s amount: a correction is a reversal of the entry it corrects", status)
			continue
		default: // spent, or transferred to another body to spend (58A: CIL expenditure)
			m.kind = "spend"
		}
		if m.kind == "allocation" || m.kind == "deallocation" || m.kind == "spend" {
			m.project = projectName(strings.TrimSpace(name), map[string]string{"allocation": "Allocated to ", "deallocation": "De-allocated from ", "spend": "Spent on "}[m.kind], purpose)
			if m.portion == "mayor" {
				cilError(rep, t, r, "contribution-funding-status", CauseInvalid, "the Mayor's levy is paid to the Mayor, who spends it")
				continue
			}
		}
		p.moves = append(p.moves, m)
	}
}

// oneNotice says whether shares are all of one notice and purpose.
func oneNotice(ss []*cilShare) bool {
	for _, s := range ss[1:] {
		if s.notice != ss[0].notice || s.purpose != ss[0].purpose {
			return false
		}
	}
	return true
}

func filterShares(ss []*cilShare, keep func(*cilShare) bool) []*cilShare {
	var out []*cilShare
	for _, s := range ss {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}
