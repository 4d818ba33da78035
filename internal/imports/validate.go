package imports

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/fy"
)

var (
	agreementTypes    = []string{"section-106", "unilateral-undertaking", "deed-of-variation", "section-278"}
	agreementStatuses = []string{"draft", "completed", "live", "discharged", "superseded"}
	obligationKinds   = []string{"financial", "affordable-housing", "works-in-kind", "restriction", "monitoring-fee", "other"}
	triggerTypes      = []string{"on-signing", "commencement", "occupation-count", "occupation-percent", "phase-completion", "fixed-date", "months-after-event", "other"}
	indexSeries       = []string{"rpi", "cpi", "bcis-tpi", "none"}
	schoolCategories  = []string{"early-years", "primary", "secondary", "sixth-form", "special", "all-through"}
	projectStatuses   = []string{"proposed", "approved", "in-progress", "completed", "cancelled"}
	entryKinds        = []string{"invoice", "allocation", "deallocation", "spend", "return"}
	exitRoutes        = []string{"right-to-buy", "right-to-acquire", "staircased", "sold", "demolished", "converted-to-market", "other-exit"}
	wheelchairs       = []string{"none", "m4-2", "m4-3"}
)

func (im *importer) values(field string) map[string]string { return im.opts.Mapping.Values[field] }

// purpose reads a contribution purpose: a code, a name, a synonym, or the
// officer's mapping.
func (im *importer) purpose(r *rec) string {
	v := r.required("purpose")
	if v == "" {
		return ""
	}
	if m, ok := im.values("purpose")[normalise(v)]; ok {
		v = m
	}
	c := codeOf(v)
	if im.purposes[c] {
		return c
	}
	if s, ok := purposeSynonyms[normalise(v)]; ok {
		return s
	}
	// A local purpose written under a national code keeps the national
	// code it starts with: education-primary is education.
	best := ""
	for p := range im.purposes {
		if strings.HasPrefix(c, p+"-") && len(p) > len(best) {
			best = p
		}
	}
	quiet := r.ds && r.row == 0 // a project the import made: its contribution's row warns
	if best != "" {
		if quiet {
			return best
		}
		r.warn("purpose", "%q is not a contribution purpose; imported under the national code it starts with, %s", v, best)
		return best
	}
	r.rep.unknownValue("purpose", v)
	if r.ds || im.opts.SkipInvalid {
		// Money is never lost for want of a purpose.
		if quiet {
			return "other"
		}
		r.warn("purpose", "%q is not a contribution purpose; kept under other (a saved mapping can name the purpose it means)", v)
		return "other"
	}
	r.fail("purpose", "%q is not a contribution purpose; name the purpose it means in a mapping (s106 import --mapping, or the web import's preview), or use other", v)
	return ""
}

func (im *importer) validate() {
	im.validateAgreements()
	im.validateObligations()
	im.validateProjects()
	im.validateReceipts()
	im.validateLedger()
	im.validateHomes()
	im.validateCIL()
	im.estimate()
}

// checkEvent warns when the register already records an event on another
// date: events are append-only, so the file's date is not applied.
func (im *importer) checkEvent(r *rec, field, key string, on *time.Time) {
	if on == nil {
		return
	}
	if d, ok := im.events[key]; ok && !d.Equal(*on) {
		r.warn(field, "the register already records this on %s; %s is not applied (reverse the event on the record's page to change it)",
			d.Format("2 January 2006"), on.Format("2 January 2006"))
	}
}

// estimate counts what the files would create and what they match.
func (im *importer) estimate() {
	count := func(sheet string, exists bool) {
		if exists {
			im.rep.Existing[sheet]++
		} else {
			im.rep.New[sheet]++
		}
	}
	for _, d := range im.devs {
		_, ok := im.devIDs[up(d.ref)]
		count("developments", ok)
	}
	for _, a := range im.agreements {
		_, ok := im.agIDs[up(a.ref)]
		count("agreements", ok)
	}
	for _, o := range im.obligations {
		_, ok := im.obs[up(o.ref)]
		count("obligations", ok)
	}
	for _, p := range im.projects {
		_, ok := im.projectIDs[strings.ToLower(p.name)]
		count("projects", ok)
	}
	for _, rc := range im.receiptRecs {
		_, ok := im.receipts[up(rc.ref)]
		count("receipts", ok)
	}
	for _, e := range im.entryRecs {
		_, ok := im.entries[up(e.ref)]
		count("ledger", ok)
	}
	providers := map[string]bool{}
	for _, h := range im.homes {
		_, ok := im.homeIDs[up(h.devRef)+"|"+strings.ToLower(h.plot)]
		count("homes", ok)
		if _, known := im.providers[strings.ToLower(h.provider)]; h.provider != "" && !known && !providers[strings.ToLower(h.provider)] {
			providers[strings.ToLower(h.provider)] = true
			count("homes", false)
		}
	}
}

func (im *importer) validateAgreements() {
	devs := map[string]*devRec{}
	seen := map[string]int{}
	for _, r := range im.tables["agreements"] {
		a := &agreementRec{row: r}
		a.ref = r.required("agreement_ref")
		if prev, dup := seen[up(a.ref)]; dup && a.ref != "" {
			r.fail("agreement_ref", "duplicate reference %q (also on row %d)", a.ref, prev)
		}
		seen[up(a.ref)] = r.row
		if t := r.str("agreement_type"); r.ds && t != "" && !slices.Contains(agreementTypes, t) {
			// The translation has read every way councils write the
			// standard's types; what is left is no planning obligation.
			r.fail("agreement_type", "%q is not a planning obligation (a section 106 agreement, unilateral undertaking, deed of variation or section 278 agreement), so the agreement and its contributions cannot be imported", t)
		} else {
			a.typ = r.choice("agreement_type", im.values("agreement_type"), "section-106", agreementTypes...)
		}
		a.signed = r.date("date_signed")
		def := "draft"
		if a.signed != nil {
			def = "live"
		}
		a.status = r.choice("status", im.values("status"), def, agreementStatuses...)
		a.deedURL = r.str("deed_url")
		a.varies = r.str("varies_agreement_ref")
		a.varSum = r.str("variation_summary")
		if (a.typ == "deed-of-variation") != (a.varies != "") && a.typ != "" {
			r.fail("varies_agreement_ref", "a deed of variation, and only a deed of variation, names the agreement it varies")
		}
		a.notes = r.str("notes")
		a.checkAsTheFormDoes(r)
		a.devRef = r.required("development_ref")
		for _, p := range strings.Split(r.str("planning_applications"), ";") {
			if p = strings.TrimSpace(p); p != "" {
				a.apps = append(a.apps, p)
			}
		}
		if d, ok := devs[up(a.devRef)]; !ok && a.devRef != "" {
			d = &devRec{row: r, ref: a.devRef, name: r.required("development_name"), address: r.str("address"),
				postcode: r.str("postcode"), ward: r.str("ward"), homes: r.number("homes_proposed", 0, 1000000)}
			devs[up(a.devRef)] = d
			im.devs = append(im.devs, d)
		}
		im.agreements = append(im.agreements, a)
	}
	known := map[string]bool{}
	for k := range im.agIDs {
		known[k] = true
	}
	for _, a := range im.agreements {
		known[up(a.ref)] = true
	}
	for _, a := range im.agreements {
		if a.varies != "" && !known[up(a.varies)] && !im.dependsOn(a.row, "varies_agreement_ref", "agreements", a.varies) {
			a.row.fail("varies_agreement_ref", "no agreement %q in the file or the register", a.varies)
		}
		if up(a.varies) == up(a.ref) && a.varies != "" {
			a.row.fail("varies_agreement_ref", "an agreement cannot vary itself")
		}
	}
}

// agreementDev is the development reference of each agreement in the file.
func (im *importer) agreementDev() map[string]string {
	out := map[string]string{}
	for _, a := range im.agreements {
		out[up(a.ref)] = up(a.devRef)
	}
	return out
}

func (im *importer) validateObligations() {
	agDev := im.agreementDev()
	seen := map[string]int{}
	for _, r := range im.tables["obligations"] {
		o := &obligationRec{row: r}
		o.ref = r.required("obligation_ref")
		if prev, dup := seen[up(o.ref)]; dup && o.ref != "" {
			r.fail("obligation_ref", "duplicate reference %q (also on row %d)", o.ref, prev)
		}
		seen[up(o.ref)] = r.row
		o.agreementRef = r.required("agreement_ref")
		if _, inFile := agDev[up(o.agreementRef)]; o.agreementRef != "" && !inFile {
			if _, inDB := im.agIDs[up(o.agreementRef)]; !inDB && !im.dependsOn(r, "agreement_ref", "agreements", o.agreementRef) {
				r.broken("agreement_ref", "no agreement %q in the %s or the register", o.agreementRef, r.fileOf("agreements"))
			}
		}
		o.purpose = im.purpose(r)
		o.description = r.required("description")
		o.clause, o.phase = r.str("clause"), r.str("phase")
		o.baseAmount = r.money("base_amount", false)
		def := "other"
		if o.baseAmount != nil {
			def = "financial"
		}
		if o.purpose == "affordable-housing" && o.baseAmount == nil {
			def = "affordable-housing"
		}
		if o.purpose == "monitoring-fees" {
			def = "monitoring-fee"
		}
		o.kind = r.choice("kind", im.values("kind"), def, obligationKinds...)
		o.triggerType = r.choice("trigger_type", im.values("trigger_type"), "", triggerTypes...)
		o.triggerQty = r.number("trigger_quantity", 1, 1000000)
		o.triggerDate = r.date("trigger_date")
		o.triggerDetail = r.str("trigger_detail")
		o.indexSeries = r.choice("index_series", im.values("index_series"), "", indexSeries...)
		if o.indexSeries == "none" {
			o.indexSeries, o.indexNone = "", true
		}
		o.baseDate = r.date("base_date")
		o.baseIndex = r.decimalField("base_index_value", 99999999)
		o.paymentDueDays = r.number("payment_due_days", 0, 100000)
		o.paymentDueFrom = r.choice("payment_due_from", im.values("payment_due_from"), "", "trigger", "invoice")
		o.spendBy = r.number("spend_by_months", 1, 1200)
		o.returnUnspent = r.boolean("return_unspent")
		o.maintenance = r.boolean("maintenance_sum")
		o.units = r.number("units", 1, 100000)
		o.places = r.number("school_places", 1, 100000)
		o.schoolCategory = r.choice("school_category", im.values("school_category"), "", schoolCategories...)
		o.openSpace = r.decimalField("open_space_m2", 9999999999)
		o.works, o.serviceArea = r.str("works_description"), r.str("service_area")
		o.affHomes = r.number("affordable_homes", 0, 100000)
		o.affPercent = r.decimalField("affordable_percent", 100)
		o.affMix = r.mixLines("affordable_mix")
		if (o.affHomes != nil || o.affPercent != nil || len(o.affMix) > 0) && o.kind != "affordable-housing" {
			r.fail("affordable_homes", "only an affordable-housing obligation has an agreed mix")
		}
		o.metOn, o.deliveredOn, o.dischargedOn = r.date("trigger_met_on"), r.date("delivered_on"), r.date("discharged_on")
		for _, ev := range []struct {
			field, kind string
			on          *time.Time
		}{{"trigger_met_on", "trigger-met", o.metOn}, {"delivered_on", "delivered", o.deliveredOn}, {"discharged_on", "discharged", o.dischargedOn}} {
			im.checkEvent(r, ev.field, "OB|"+up(o.ref)+"|"+ev.kind, ev.on)
		}
		o.checkAsTheFormDoes(r)
		if o.kind == "financial" && o.spendBy == nil && !r.ds {
			r.warn("spend_by_months", "no spend-by period: spend-by deadlines cannot be worked out for this obligation's money")
		}
		if o.kind == "financial" && o.baseAmount == nil {
			r.warn("base_amount", "a financial obligation with no amount: the IFS counts it as having no amount")
		}
		im.obligations = append(im.obligations, o)
	}
}

// obligationInfo says what the file or register knows of an obligation:
// whether it exists, its kind and its development reference.
func (im *importer) obligationInfo() map[string]existingOb {
	out := map[string]existingOb{}
	for k, v := range im.obs {
		out[k] = v
	}
	agDev := im.agreementDev()
	for _, o := range im.obligations {
		out[up(o.ref)] = existingOb{kind: o.kind, devRef: agDev[up(o.agreementRef)]}
	}
	return out
}

func (im *importer) validateProjects() {
	seen := map[string]int{}
	for _, r := range im.tables["projects"] {
		p := &projectRec{row: r}
		p.name = r.required("project")
		if prev, dup := seen[strings.ToLower(p.name)]; dup && p.name != "" {
			r.fail("project", "duplicate project %q (also on row %d)", p.name, prev)
		}
		seen[strings.ToLower(p.name)] = r.row
		p.purpose = im.purpose(r)
		p.description, p.serviceArea = r.str("description"), r.str("service_area")
		p.expected = r.date("expected_spend_date")
		p.status = r.choice("status", im.values("status"), "proposed", projectStatuses...)
		p.repays = r.boolean("repays_borrowing")
		p.decisionDate = r.date("decision_date")
		p.decisionMaker = r.choice("decision_maker", im.values("decision_maker"), "", "committee", "cabinet-member", "delegated-officer", "not-recorded")
		p.decisionRef = r.str("decision_reference")
		if (p.decisionDate == nil) != (p.decisionMaker == "") {
			r.fail("decision_date", "a spending decision needs both its date and its decision maker")
		}
		im.projects = append(im.projects, p)
	}
}

func (im *importer) validateReceipts() {
	obs := im.obligationInfo()
	byRef := map[string]*receiptRec{}
	for _, r := range im.tables["receipts"] {
		ref := r.required("receipt_ref")
		date := r.date("received_on")
		if r.str("received_on") == "" {
			// required() reports it; say why it matters.
			r.fail("received_on", "received_on is required: without the date the money arrived its spend-by deadline cannot be worked out")
		}
		payer := r.required("payer")
		total := r.money("total", true)
		obRef := r.required("obligation_ref")
		amount := r.money("amount", true)
		if _, ok := obs[up(obRef)]; obRef != "" && !ok && !im.dependsOn(r, "obligation_ref", "obligations", obRef) {
			r.broken("obligation_ref", "no %s %q in the %s or the register", r.what("obligations"), obRef, r.fileOf("obligations"))
		}
		if ref == "" {
			continue
		}
		rc, ok := byRef[up(ref)]
		if !ok {
			rc = &receiptRec{row: r, ref: ref, payer: payer, financeRef: r.str("finance_ref"), note: r.str("note")}
			if date != nil {
				rc.received = *date
			}
			if total != nil {
				rc.total = *total
			}
			byRef[up(ref)] = rc
			im.receiptRecs = append(im.receiptRecs, rc)
		} else {
			if total != nil && !total.Equal(rc.total) {
				r.fail("total", "receipt %s has total %s here but %s on row %d", ref, total.StringFixed(2), rc.total.StringFixed(2), rc.row.row)
			}
			if date != nil && !date.Equal(rc.received) {
				r.fail("received_on", "receipt %s has a different date here than on row %d", ref, rc.row.row)
			}
		}
		for _, s := range rc.shares {
			if up(s.obligationRef) == up(obRef) {
				r.fail("obligation_ref", "receipt %s already has a share for obligation %s (row %d)", ref, obRef, s.row.row)
			}
		}
		if amount != nil {
			rc.shares = append(rc.shares, shareRec{row: r, obligationRef: obRef, amount: *amount})
		}
	}
	for _, rc := range im.receiptRecs {
		sum := decimal.Zero
		for _, s := range rc.shares {
			sum = sum.Add(s.amount)
		}
		if !rc.total.IsZero() && !sum.Equal(rc.total) {
			last := rc.shares
			row := rc.row
			if len(last) > 0 {
				row = last[len(last)-1].row
			}
			row.fail("amount", "the shares of receipt %s add up to £%s, not its total £%s", rc.ref, sum.StringFixed(2), rc.total.StringFixed(2))
		}
		if fp, ok := im.receipts[up(rc.ref)]; ok && fp != rc.fingerprint() {
			rc.row.fail("receipt_ref", "receipt %s is already in the ledger with different figures; money is never changed in place — record a reversal in the ledger instead", rc.ref)
		}
	}
}

func (rc *receiptRec) fingerprint() string {
	parts := make([]string, len(rc.shares))
	for i, s := range rc.shares {
		parts[i] = up(s.obligationRef) + "=" + s.amount.StringFixed(2)
	}
	sort.Strings(parts)
	return rc.received.Format("2006-01-02") + "|" + rc.total.StringFixed(2) + "|" + strings.Join(parts, ";")
}

func (e *entryRec) fingerprint() string {
	return e.kind + "|" + e.date.Format("2006-01-02") + "|" + e.amount.StringFixed(2) + "|" + up(e.obligationRef) + "|" + strings.ToLower(e.project)
}

func (im *importer) validateLedger() {
	obs := im.obligationInfo()
	projects := map[string]bool{}
	for k := range im.projectIDs {
		projects[k] = true
	}
	for _, p := range im.projects {
		projects[strings.ToLower(p.name)] = true
	}
	seen := map[string]int{}
	for _, rc := range im.receiptRecs {
		seen[up(rc.ref)] = rc.row.row
	}
	for _, r := range im.tables["ledger"] {
		e := &entryRec{row: r}
		e.ref = r.required("entry_ref")
		if prev, dup := seen[up(e.ref)]; dup && e.ref != "" {
			r.fail("entry_ref", "duplicate reference %q (also on row %d)", e.ref, prev)
		}
		seen[up(e.ref)] = r.row
		e.obligationRef = r.required("obligation_ref")
		if _, ok := obs[up(e.obligationRef)]; e.obligationRef != "" && !ok && !im.dependsOn(r, "obligation_ref", "obligations", e.obligationRef) {
			r.broken("obligation_ref", "no %s %q in the %s or the register", r.what("obligations"), e.obligationRef, r.fileOf("obligations"))
		}
		if r.str("kind") == "" {
			r.fail("kind", "kind is required")
		}
		e.kind = r.choice("kind", im.values("kind"), "", entryKinds...)
		if d := r.date("entry_date"); d != nil {
			e.date = *d
		} else if r.str("entry_date") == "" {
			r.fail("entry_date", "entry_date is required")
		}
		if a := r.money("amount", true); a != nil {
			e.amount = *a
		}
		e.project = r.str("project")
		e.decisionEvidence = r.str("decision_evidence")
		if e.decisionEvidence != "" && e.kind != "allocation" && e.kind != "deallocation" && e.kind != "" {
			r.fail("decision_evidence", "only allocations and de-allocations carry the evidence of a spending decision")
		}
		needsProject := e.kind == "allocation" || e.kind == "deallocation" || e.kind == "spend"
		if needsProject && e.project == "" {
			r.fail("project", "a %s names the project", e.kind)
		}
		if !needsProject && e.project != "" && e.kind != "" {
			r.fail("project", "only allocations, de-allocations and spend name a project")
		}
		if e.project != "" && !projects[strings.ToLower(e.project)] && !im.dependsOn(r, "project", "projects", e.project) {
			r.fail("project", "no project %q in the projects file or the register", e.project)
		}
		e.interest = nil
		if r.str("interest") != "" {
			if e.kind != "return" {
				r.fail("interest", "only a return carries interest")
			} else if d, ok := parseMoney(r.str("interest")); !ok || d.IsNegative() {
				r.fail("interest", "%q is not an amount in pounds", r.str("interest"))
			} else {
				e.interest = &d
			}
		}
		e.due = r.date("due_date")
		e.refText, e.note = r.str("reference"), r.str("note")
		if fp, ok := im.entries[up(e.ref)]; ok && e.kind != "" && fp != e.fingerprint() {
			r.fail("entry_ref", "entry %s is already in the ledger with different figures; money is never changed in place — record a reversal in the ledger instead", e.ref)
		}
		im.entryRecs = append(im.entryRecs, e)
	}
	im.checkBalances()
}

type move struct {
	date    time.Time
	kind    string
	amount  decimal.Decimal
	project string
	row     *rec
}

// checkBalances replays each obligation's money in date order, as the
// database will at commit, so a spend exceeding receipts is reported on
// its row before anything is written.
func (im *importer) checkBalances() {
	byOb := map[string][]move{}
	known := im.obligationInfo()
	for _, rc := range im.receiptRecs {
		if _, done := im.receipts[up(rc.ref)]; done {
			continue
		}
		for _, s := range rc.shares {
			byOb[up(s.obligationRef)] = append(byOb[up(s.obligationRef)], move{date: rc.received, kind: "receipt", amount: s.amount, row: s.row})
		}
	}
	for _, e := range im.entryRecs {
		if _, done := im.entries[up(e.ref)]; done {
			continue
		}
		byOb[up(e.obligationRef)] = append(byOb[up(e.obligationRef)], move{date: e.date, kind: e.kind, amount: e.amount, project: strings.ToLower(e.project), row: e.row})
	}
	existing := im.existingMoney(byOb)
	for ob, mvs := range byOb {
		if _, ok := known[ob]; !ok {
			continue // the row names an obligation there is not: reported once, on its reference
		}
		mvs = append(mvs, existing[ob]...)
		sort.SliceStable(mvs, func(i, j int) bool { return mvs[i].date.Before(mvs[j].date) })
		var received, returned, allocated, spent decimal.Decimal
		projAlloc, projSpent := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for i := 0; i < len(mvs); {
			j := i
			for j < len(mvs) && mvs[j].date.Equal(mvs[i].date) {
				m := mvs[j]
				switch m.kind {
				case "receipt":
					received = received.Add(m.amount)
				case "return":
					returned = returned.Add(m.amount)
				case "allocation":
					allocated = allocated.Add(m.amount)
					projAlloc[m.project] = projAlloc[m.project].Add(m.amount)
				case "deallocation":
					allocated = allocated.Sub(m.amount)
					projAlloc[m.project] = projAlloc[m.project].Sub(m.amount)
				case "spend":
					spent = spent.Add(m.amount)
					projSpent[m.project] = projSpent[m.project].Add(m.amount)
				}
				j++
			}
			blame := func(kinds ...string) *rec {
				for k := j - 1; k >= i; k-- {
					for _, kind := range kinds {
						if mvs[k].kind == kind && mvs[k].row != nil {
							return mvs[k].row
						}
					}
				}
				return nil
			}
			day := mvs[i].date.Format("2 January 2006")
			switch {
			case returned.GreaterThan(received):
				if r := blame("return"); r != nil {
					r.fail("amount", "on %s more would be returned (£%s) than was received (£%s) for obligation %s", day, returned.StringFixed(2), received.StringFixed(2), ob)
				}
			case allocated.GreaterThan(received.Sub(returned)) || allocated.IsNegative():
				if r := blame("allocation", "deallocation", "return"); r != nil {
					r.fail("amount", "on %s more would be allocated (£%s) than was received and not returned (£%s) for obligation %s", day, allocated.StringFixed(2), received.Sub(returned).StringFixed(2), ob)
				}
			case spent.GreaterThan(allocated):
				if r := blame("spend", "deallocation"); r != nil {
					r.fail("amount", "on %s more would be spent (£%s) than was received and allocated (£%s) for obligation %s", day, spent.StringFixed(2), allocated.StringFixed(2), ob)
				}
			default:
				for p, s := range projSpent {
					if s.GreaterThan(projAlloc[p]) {
						if r := blame("spend", "deallocation"); r != nil {
							r.fail("amount", "on %s project %q would have spent £%s of obligation %s's money but only £%s was allocated to it", day, p, s.StringFixed(2), ob, projAlloc[p].StringFixed(2))
						}
					}
				}
			}
			i = j
		}
	}
}

// existingMoney reads the standing entries of the obligations already in
// the register that the file adds money to.
func (im *importer) existingMoney(byOb map[string][]move) map[string][]move {
	ids := []int64{}
	refOf := map[int64]string{}
	for ref := range byOb {
		if e, ok := im.obs[ref]; ok {
			ids = append(ids, e.id)
			refOf[e.id] = ref
		}
	}
	out := map[string][]move{}
	if len(ids) == 0 {
		return out
	}
	rows, err := im.tx.Query(im.ctx, `
		SELECT e.obligation_id, e.kind, e.entry_date, e.amount, coalesce(lower(p.name), '')
		FROM ledger_effective e LEFT JOIN projects p ON p.id = e.project_id
		WHERE e.obligation_id = ANY($1)`, ids)
	if err != nil {
		im.loadErr = err
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m move
		if err := rows.Scan(&id, &m.kind, &m.date, &m.amount, &m.project); err != nil {
			im.loadErr = err
			return out
		}
		out[refOf[id]] = append(out[refOf[id]], m)
	}
	im.loadErr = rows.Err()
	return out
}

func (im *importer) validateHomes() {
	obs := im.obligationInfo()
	devs := map[string]bool{}
	for k := range im.devIDs {
		devs[k] = true
	}
	for _, d := range im.devs {
		devs[up(d.ref)] = true
	}
	seen := map[string]int{}
	uprnSeen := map[string]int{}
	for _, r := range im.tables["homes"] {
		h := &homeRec{row: r}
		h.devRef = r.required("development_ref")
		if h.devRef != "" && !devs[up(h.devRef)] && !im.dependsOn(r, "development_ref", "agreements", h.devRef) {
			r.fail("development_ref", "no development %q in the agreements file or the register", h.devRef)
		}
		h.plot = r.required("plot")
		key := up(h.devRef) + "|" + strings.ToLower(h.plot)
		if prev, dup := seen[key]; dup && h.plot != "" {
			r.fail("plot", "plot %s of %s appears twice (also on row %d)", h.plot, h.devRef, prev)
		}
		seen[key] = r.row
		if r.str("tenure") == "" {
			r.fail("tenure", "tenure is required")
		}
		h.tenure = r.choice("tenure", im.values("tenure"), "", tenures...)
		h.obligationRef = r.str("obligation_ref")
		if h.obligationRef != "" {
			ob, ok := obs[up(h.obligationRef)]
			switch {
			case !ok:
				if !im.dependsOn(r, "obligation_ref", "obligations", h.obligationRef) {
					r.fail("obligation_ref", "no obligation %q in the obligations file or the register", h.obligationRef)
				}
			case ob.kind != "affordable-housing":
				r.fail("obligation_ref", "obligation %s is not an affordable-housing obligation", h.obligationRef)
			case ob.devRef != up(h.devRef):
				r.fail("obligation_ref", "obligation %s belongs to another development", h.obligationRef)
			case h.tenure == "market":
				r.fail("obligation_ref", "a market home delivers no affordable-housing obligation")
			}
		}
		if r.str("bedrooms") == "" {
			r.fail("bedrooms", "bedrooms is required")
		}
		h.bedrooms = r.number("bedrooms", 0, 10)
		h.rooms = r.number("habitable_rooms", 1, 20)
		h.area = r.decimalField("floor_area_m2", 99999)
		h.wheelchair = r.choice("wheelchair", im.values("wheelchair"), "none", wheelchairs...)
		h.address, h.postcode = r.str("address"), r.str("postcode")
		h.uprn = r.str("uprn")
		if h.uprn != "" {
			n, err := strconv.ParseInt(h.uprn, 10, 64)
			if err != nil || n < 0 || len(h.uprn) > 12 {
				r.fail("uprn", "%q is not a UPRN (1 to 12 digits)", h.uprn)
			} else {
				num := strconv.FormatInt(n, 10)
				if prev, dup := uprnSeen[num]; dup {
					r.fail("uprn", "UPRN %s is used twice (also on row %d)", h.uprn, prev)
				} else if other, used := im.uprns[num]; used && other != key {
					r.fail("uprn", "UPRN %s is already used by another home in the register (%s)", h.uprn, strings.Replace(other, "|", " plot ", 1))
				}
				uprnSeen[num] = r.row
			}
		}
		h.provider = r.str("registered_provider")
		h.started, h.completed = r.date("started_on"), r.date("completed_on")
		h.transferred, h.occupied = r.date("transferred_on"), r.date("occupied_on")
		h.exitRoute = r.choice("exit_route", im.values("exit_route"), "", exitRoutes...)
		h.exited = r.date("exited_on")
		if (r.str("exit_route") != "") != (r.str("exited_on") != "") {
			r.fail("exited_on", "exit_route and exited_on go together: give both or neither")
		}
		for _, ev := range []struct {
			field, kind string
			on          *time.Time
		}{{"started_on", "started", h.started}, {"completed_on", "completed", h.completed}, {"transferred_on", "transferred", h.transferred},
			{"occupied_on", "occupied", h.occupied}, {"exited_on", h.exitRoute, h.exited}} {
			im.checkEvent(r, ev.field, "HOME|"+key+"|"+ev.kind, ev.on)
		}
		if h.completed != nil && h.uprn == "" {
			r.fail("uprn", "a completed home needs its UPRN")
		}
		if h.transferred != nil && h.provider == "" {
			r.fail("registered_provider", "a transferred home names the registered provider")
		}
		im.homes = append(im.homes, h)
	}
}

// obligationColumns names the import column of each field the obligation
// form's rules (agreements.ObligationInput.Check) speak of.
var obligationColumns = map[string]string{
	"trigger_type": "trigger_type", "trigger_quantity": "trigger_quantity", "trigger_date": "trigger_date",
	"trigger_detail": "trigger_detail", "base_date": "base_date", "index": "index_series",
	"payment_due_from": "payment_due_from", "spend_by_months": "spend_by_months",
	"school_category": "school_category", "clause_ref": "clause",
}

// checkAsTheFormDoes applies the obligation form's own rules to the row
// (the trigger and its number, date or detail; indexation's base; when
// payment falls due; spend-by and return; the school category), so the
// import accepts exactly the obligations the form would. The row's kind,
// purpose and description are read and reported by the import itself,
// in the file's terms.
func (o *obligationRec) checkAsTheFormDoes(r *rec) {
	in := agreements.ObligationInput{
		Kind: "other", PurposeCode: "other", Description: "-", ClauseRef: o.clause,
		TriggerType: o.triggerType, TriggerQuantity: o.triggerQty, TriggerDate: o.triggerDate, TriggerDetail: o.triggerDetail,
		BaseDate: o.baseDate, BaseIndexValue: o.baseIndex, PaymentDueDays: o.paymentDueDays, PaymentDueFrom: o.paymentDueFrom,
		SpendByMonths: o.spendBy, ReturnUnspent: o.returnUnspent, SchoolPlaces: o.places, SchoolCategory: o.schoolCategory,
	}
	if o.indexNone {
		in.Index = "none"
	} else {
		in.Index = o.indexSeries
	}
	errs := in.Check()
	for _, field := range errs.Fields() {
		column, ok := obligationColumns[field]
		if !ok {
			column = field
		}
		if r.ds && field == "school_category" {
			// The data standard has no column for it: the obligation is
			// imported, and its form asks for the category when edited.
			r.warn(column, "the data standard gives no school category for the school places: set it on the obligation")
			continue
		}
		r.fail(column, "%s", errs.Get(field))
	}
}

// agreementColumns names the import column of each field the agreement
// form's rules (agreements.AgreementInput.Check) speak of; the fields it
// leaves out (the development, type, status and the agreement varied)
// the import reads and reports itself, in the file's terms.
var agreementColumns = map[string]string{
	"reference": "agreement_ref", "date_signed": "date_signed", "deed_url": "deed_url", "notes": "notes",
}

// checkAsTheFormDoes applies the agreement form's own rules to the row:
// the signing date (required unless a draft, not in the future), the
// deed's web address and the lengths of the reference and notes.
func (a *agreementRec) checkAsTheFormDoes(r *rec) {
	in := agreements.AgreementInput{Reference: a.ref, DevelopmentID: 1, Type: a.typ, Status: a.status, DateSigned: a.signed,
		DeedURL: a.deedURL, Notes: a.notes}
	errs := in.Check(fy.Today(time.Now()))
	for _, field := range errs.Fields() {
		// An empty reference and a date that is not a date are already
		// reported by the import, in the file's terms.
		told := field == "reference" && a.ref == "" || field == "date_signed" && a.signed == nil && r.str("date_signed") != ""
		if column, ok := agreementColumns[field]; ok && !told {
			r.fail(column, "%s", errs.Get(field))
		}
	}
}
