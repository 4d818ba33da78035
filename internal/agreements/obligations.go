package agreements

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// ObligationInput is what an officer records about an obligation. Typed
// fields are parsed by the form layer; the rules here check their meaning.
type ObligationInput struct {
	Kind        string
	PurposeCode string
	ClauseRef   string
	Description string
	Phase       string

	TriggerType     string
	TriggerQuantity *int
	TriggerDate     *time.Time
	TriggerDetail   string

	BaseAmount     *decimal.Decimal
	Index          string // "" not set, "none" no indexation, or an index series code
	BaseDate       *time.Time
	BaseIndexValue *decimal.Decimal
	PaymentDueDays *int
	PaymentDueFrom string
	SpendByMonths  *int
	// When the spend-by clock starts (SpendByFromPayment by default):
	// the event's name for SpendByFromEvent, and the event's date (once it
	// happens) or the fixed date.
	SpendByFrom  string
	SpendByEvent string
	SpendByStart *time.Time
	// IndexTo is the period the agreement indexes to: "trigger" (the
	// default) or "invoice".
	IndexTo        string
	ReturnUnspent  bool
	InterestTerms  string
	MaintenanceSum bool

	Units            *int
	SchoolPlaces     *int
	SchoolCategory   string
	OpenSpaceM2      *decimal.Decimal
	WorksDescription string

	// Where the money may be spent, as the agreement says: free text
	// ("within 2 miles of the site") and the ward or parish.
	SpendingArea string
	SpendingWard string

	ServiceArea  string
	ContactName  string
	ContactEmail string
}

// When an obligation's spend-by clock starts, as its agreement says.
const (
	SpendByFromPayment         = "payment"          // the date of each payment (the default)
	SpendByFromFinalInstalment = "final-instalment" // the final instalment, once paid in full
	SpendByFromEvent           = "event"            // a dated event, e.g. completion of the development
	SpendByFromFixedDate       = "fixed-date"       // a fixed date
)

// SchoolCategories are the categories of school place the IFS reports.
var SchoolCategories = []struct{ Code, Label string }{
	{"early-years", "Early years"},
	{"primary", "Primary"},
	{"secondary", "Secondary"},
	{"sixth-form", "Sixth form"},
	{"special", "Special educational needs"},
	{"all-through", "All-through"},
}

func (in *ObligationInput) normalise() {
	for _, s := range []*string{&in.Kind, &in.PurposeCode, &in.ClauseRef, &in.Description, &in.Phase, &in.TriggerType,
		&in.TriggerDetail, &in.Index, &in.PaymentDueFrom, &in.InterestTerms, &in.SchoolCategory, &in.WorksDescription,
		&in.SpendingArea, &in.SpendingWard, &in.ServiceArea, &in.ContactName, &in.ContactEmail} {
		*s = strings.TrimSpace(*s)
	}
	in.ContactEmail = strings.ToLower(in.ContactEmail)
}

// Check is the obligation's rules that need no database (validate), for
// callers outside the service: the register import checks each row with
// it, so a file cannot hold an obligation the form would refuse.
func (in ObligationInput) Check() *forms.Errors {
	errs := &forms.Errors{}
	in.validate(errs)
	return errs
}

// validate checks the rules that need no database; purposes and index
// series are checked against the database by the caller.
func (in *ObligationInput) validate(errs *forms.Errors) {
	in.normalise()
	kindOK := false
	for _, k := range ObligationKinds {
		if string(k) == in.Kind {
			kindOK = true
		}
	}
	if in.Kind == "" {
		errs.Add("kind", "Select the kind of obligation")
	} else if !kindOK {
		errs.Add("kind", "Select a kind of obligation from the list")
	}
	if in.PurposeCode == "" {
		errs.Add("purpose", "Select the purpose")
	}
	if in.Description == "" {
		errs.Add("description", "Enter what the obligation requires, as the clause says it")
	}
	if len(in.ClauseRef) > 50 {
		errs.Add("clause_ref", "Clause reference must be 50 characters or fewer")
	}

	if in.TriggerType != "" {
		tt := TriggerType(in.TriggerType)
		known := false
		for _, t := range TriggerTypes {
			if t == tt {
				known = true
			}
		}
		switch {
		case !known:
			errs.Add("trigger_type", "Select a trigger from the list")
		case (tt == TriggerOccupationCount || tt == TriggerPhaseCompletion || tt == TriggerMonthsAfterEvent) && in.TriggerQuantity == nil:
			errs.Add("trigger_quantity", map[TriggerType]string{
				TriggerOccupationCount:  "Enter how many dwellings must be occupied",
				TriggerPhaseCompletion:  "Enter the phase number",
				TriggerMonthsAfterEvent: "Enter the number of months",
			}[tt])
		case tt == TriggerOccupationPercent && in.TriggerQuantity == nil:
			errs.Add("trigger_quantity", "Enter the percentage of market dwellings")
		case tt == TriggerOccupationPercent && *in.TriggerQuantity > 100:
			errs.Add("trigger_quantity", "Percentage of market dwellings must be 100 or less")
		case tt == TriggerFixedDate && in.TriggerDate == nil:
			errs.Add("trigger_date", "Enter the date the obligation falls due")
		case tt == TriggerMonthsAfterEvent && in.TriggerDetail == "":
			errs.Add("trigger_detail", "Describe the event the months run from")
		case tt == TriggerOther && in.TriggerDetail == "":
			errs.Add("trigger_detail", "Describe the trigger")
		}
	} else if in.TriggerQuantity != nil || in.TriggerDate != nil {
		errs.Add("trigger_type", "Select the kind of trigger for the number or date you entered")
	}

	if in.Index != "" && in.Index != "none" && in.BaseDate == nil && in.BaseIndexValue == nil {
		errs.Add("base_date", "Enter the base date or the base index value for indexation")
	}
	if in.Index == "none" && (in.BaseDate != nil || in.BaseIndexValue != nil) {
		errs.Add("index", "Choose an index for the base date or index value you entered, or remove them")
	}
	if in.PaymentDueFrom != "" && in.PaymentDueFrom != "trigger" && in.PaymentDueFrom != "invoice" {
		errs.Add("payment_due_from", "Select when payment falls due from")
	}
	if in.PaymentDueDays != nil && in.PaymentDueFrom == "" {
		errs.Add("payment_due_from", "Select whether the days run from the trigger or from the invoice")
	}
	if in.SpendByMonths == nil && in.ReturnUnspent {
		errs.Add("spend_by_months", "Enter the spend-by period: unspent money cannot be returned without one")
	}
	in.SpendByEvent = strings.TrimSpace(in.SpendByEvent)
	switch in.SpendByFrom {
	case "":
		in.SpendByFrom = SpendByFromPayment
	case SpendByFromPayment, SpendByFromFinalInstalment:
	case SpendByFromEvent:
		if in.SpendByEvent == "" {
			errs.Add("spend_by_event", "Enter the event the spend-by period runs from, for example completion of the development")
		}
	case SpendByFromFixedDate:
		if in.SpendByStart == nil && errs.Get("spend_by_start") == "" {
			errs.Add("spend_by_start", "Enter the date the spend-by period runs from")
		}
	default:
		errs.Add("spend_by_from", "Select when the spend-by period starts")
	}
	if in.SpendByFrom != SpendByFromEvent {
		in.SpendByEvent = ""
	}
	if in.SpendByFrom == SpendByFromPayment || in.SpendByFrom == SpendByFromFinalInstalment {
		in.SpendByStart = nil
	}
	switch in.IndexTo {
	case "":
		in.IndexTo = "trigger"
	case "trigger", "invoice":
	default:
		errs.Add("index_to", "Select the period the agreement indexes to")
	}
	if len([]rune(in.SpendByEvent)) > 200 {
		errs.Add("spend_by_event", "Event must be 200 characters or fewer")
	}
	if in.SchoolCategory != "" {
		ok := false
		for _, c := range SchoolCategories {
			if c.Code == in.SchoolCategory {
				ok = true
			}
		}
		if !ok {
			errs.Add("school_category", "Select a school category from the list")
		}
	}
	if in.SchoolPlaces != nil && in.SchoolCategory == "" {
		errs.Add("school_category", "Select the category of school for the school places")
	}
	if len([]rune(in.SpendingArea)) > 500 {
		errs.Add("spending_area", "Where the money may be spent must be 500 characters or fewer")
	}
	if len([]rune(in.SpendingWard)) > 100 {
		errs.Add("spending_ward", "Ward or parish must be 100 characters or fewer")
	}
	if in.ContactEmail != "" {
		if a, err := mail.ParseAddress(in.ContactEmail); err != nil || a.Address != in.ContactEmail {
			errs.Add("contact_email", "Enter the contact's e-mail address in the correct format, like name@example.gov.uk")
		}
	}
}

// ObligationForm reads an obligation into the record shape.
func (in ObligationInput) apply(o *Obligation) {
	o.Kind = ObligationKind(in.Kind)
	o.PurposeCode = in.PurposeCode
	o.ClauseRef = in.ClauseRef
	o.Description = in.Description
	o.Phase = in.Phase
	o.TriggerType = nil
	if in.TriggerType != "" {
		tt := TriggerType(in.TriggerType)
		o.TriggerType = &tt
	}
	o.TriggerQuantity, o.TriggerDate, o.TriggerDetail = in.TriggerQuantity, in.TriggerDate, in.TriggerDetail
	o.BaseAmount = in.BaseAmount
	o.IndexSeries, o.IndexationNone = "", false
	switch in.Index {
	case "none":
		o.IndexationNone = true
	default:
		o.IndexSeries = in.Index
	}
	o.BaseDate, o.BaseIndexValue = in.BaseDate, in.BaseIndexValue
	o.PaymentDueDays, o.PaymentDueFrom = in.PaymentDueDays, in.PaymentDueFrom
	o.SpendByMonths, o.ReturnUnspent, o.InterestTerms, o.MaintenanceSum = in.SpendByMonths, in.ReturnUnspent, in.InterestTerms, in.MaintenanceSum
	o.SpendByFrom, o.SpendByEvent, o.SpendByStart, o.IndexTo = in.SpendByFrom, in.SpendByEvent, in.SpendByStart, in.IndexTo
	o.Units, o.SchoolPlaces, o.SchoolCategory, o.OpenSpaceM2, o.WorksDescription = in.Units, in.SchoolPlaces, in.SchoolCategory, in.OpenSpaceM2, in.WorksDescription
	o.ServiceArea, o.ContactName, o.ContactEmail = in.ServiceArea, in.ContactName, in.ContactEmail
	o.SpendingArea, o.SpendingWard = in.SpendingArea, in.SpendingWard
}

// auditView is what the audit trail keeps of an obligation's terms.
func (o Obligation) auditView() map[string]any {
	m := map[string]any{
		"kind":              string(o.Kind),
		"purpose":           o.PurposeCode,
		"clause":            o.ClauseRef,
		"description":       o.Description,
		"phase":             o.Phase,
		"trigger":           "",
		"trigger detail":    o.TriggerDetail,
		"base amount":       "",
		"index":             o.IndexSeries,
		"spend-by months":   "",
		"return unspent":    o.ReturnUnspent,
		"interest terms":    o.InterestTerms,
		"maintenance sum":   o.MaintenanceSum,
		"service area":      o.ServiceArea,
		"contact name":      o.ContactName,
		"contact email":     o.ContactEmail,
		"works description": o.WorksDescription,
		"spending area":     o.SpendingArea,
		"spending ward":     o.SpendingWard,
	}
	if o.TriggerType != nil {
		m["trigger"] = string(*o.TriggerType)
	}
	if o.IndexationNone {
		m["index"] = "none"
	}
	if o.BaseAmount != nil {
		m["base amount"] = o.BaseAmount.StringFixed(2)
	}
	m["index to"] = o.IndexTo
	m["spend-by from"] = o.SpendByFrom
	m["spend-by event"] = o.SpendByEvent
	if o.SpendByStart != nil {
		m["spend-by start"] = o.SpendByStart.Format("2006-01-02")
	}
	if o.SpendByMonths != nil {
		m["spend-by months"] = strconv.Itoa(*o.SpendByMonths)
	}
	optInt := func(k string, v *int) {
		if v != nil {
			m[k] = strconv.Itoa(*v)
		} else {
			m[k] = ""
		}
	}
	optInt("trigger quantity", o.TriggerQuantity)
	optInt("payment due days", o.PaymentDueDays)
	optInt("units", o.Units)
	optInt("school places", o.SchoolPlaces)
	optDate := func(k string, v *time.Time) {
		if v != nil {
			m[k] = v.Format("2006-01-02")
		} else {
			m[k] = ""
		}
	}
	optDate("trigger date", o.TriggerDate)
	optDate("base date", o.BaseDate)
	if o.BaseIndexValue != nil {
		m["base index value"] = o.BaseIndexValue.String()
	} else {
		m["base index value"] = ""
	}
	return m
}

// checkReferences confirms the purpose and index series exist.
func checkReferences(ctx context.Context, q store.Querier, in ObligationInput, errs *forms.Errors) error {
	if in.PurposeCode != "" {
		ok, err := purposeExists(ctx, q, in.PurposeCode)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("purpose", "Select a purpose from the list")
		}
	}
	if in.Index != "" && in.Index != "none" {
		ok, err := indexSeriesExists(ctx, q, in.Index)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("index", "Select an index from the list")
		}
	}
	return nil
}

// CheckObligation applies every rule to an obligation without saving it,
// adding to errs (which may already hold the form's parse errors) so the
// officer sees all problems at once. It returns errs as an error when any.
func (s *Service) CheckObligation(ctx context.Context, in ObligationInput, errs *forms.Errors) error {
	in.validate(errs)
	if err := checkReferences(ctx, s.DB.Pool, in, errs); err != nil {
		return err
	}
	return errs.OrNil()
}

// RecordObligation adds an obligation to an agreement.
func (s *Service) RecordObligation(ctx context.Context, actor audit.Actor, agreementID int64, in ObligationInput) (Obligation, error) {
	errs := &forms.Errors{}
	in.validate(errs)
	var o Obligation
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := obligationAgreementRef(ctx, tx, agreementID); err != nil {
			return err
		}
		if err := checkReferences(ctx, tx, in, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		in.apply(&o)
		o.AgreementID = agreementID
		id, err := insertObligation(ctx, tx, o)
		if err != nil {
			return err
		}
		if o, err = obligationByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "obligation.create", "obligation", strconv.FormatInt(id, 10),
			"Recorded obligation "+o.label()+" on agreement "+o.AgreementReference, nil, o.auditView())
	})
	return o, err
}

// UpdateObligation changes an obligation's terms; version must be the one
// the officer's form was based on.
func (s *Service) UpdateObligation(ctx context.Context, actor audit.Actor, id int64, version int, in ObligationInput) (Obligation, error) {
	errs := &forms.Errors{}
	in.validate(errs)
	var after Obligation
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := obligationByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkReferences(ctx, tx, in, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		if before.Version != version {
			return store.ErrConflict
		}
		next := before
		in.apply(&next)
		if err := updateObligation(ctx, tx, next); err != nil {
			return err
		}
		if after, err = obligationByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "obligation.update", "obligation", strconv.FormatInt(id, 10),
			"Changed obligation "+after.label(), before.auditView(), after.auditView())
	})
	return after, err
}

// SetObligationArchived archives (hides from lists, keeps everything) or
// restores an obligation. Obligations are never deleted.
func (s *Service) SetObligationArchived(ctx context.Context, actor audit.Actor, id int64, version int, archived bool) (Obligation, error) {
	var after Obligation
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := obligationByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		var at *time.Time
		if archived {
			now := s.now()
			at = &now
		}
		if err := setObligationArchived(ctx, tx, id, at); err != nil {
			return err
		}
		if after, err = obligationByID(ctx, tx, id); err != nil {
			return err
		}
		action, summary := "obligation.restore", "Restored obligation "+after.label()
		if archived {
			action, summary = "obligation.archive", "Archived obligation "+after.label()
		}
		return audit.Record(ctx, tx, actor, action, "obligation", strconv.FormatInt(id, 10), summary,
			map[string]any{"archived": before.ArchivedAt != nil}, map[string]any{"archived": archived})
	})
	return after, err
}

// GetObligation returns one obligation with its derived status.
func (s *Service) GetObligation(ctx context.Context, id int64) (Obligation, error) {
	return obligationByID(ctx, s.DB.Pool, id)
}

// ObligationSorts are the columns the obligations list sorts by.
var ObligationSorts = []string{"agreement", "development", "kind", "purpose", "status", "amount", "trigger-met", "updated"}

// ListObligations returns one page of obligations matching the filters:
// q (search), status, purpose (a national code includes its local
// sub-purposes), kind, ward, officer, trigger (met|not-met), signed-from,
// signed-to, met-from, met-to, archived (include|only), agreement.
func (s *Service) ListObligations(ctx context.Context, p listing.Params) (listing.Page[Obligation], error) {
	where, errs := obligationFilters(p)
	if errs.Any() {
		return listing.Page[Obligation]{Params: p}, errs
	}
	return listObligationsPage(ctx, s.DB.Pool, where, p)
}

// CountObligationsByStatus counts, in one query, the obligations the list
// shows for each status (?status=…, the other filters at their defaults):
// the same filters and joins as ListObligations' count, grouped.
func (s *Service) CountObligationsByStatus(ctx context.Context, statuses ...ObligationStatus) (map[ObligationStatus]int, error) {
	where, _ := obligationFilters(listing.Params{})
	codes := make([]string, len(statuses))
	for i, st := range statuses {
		codes[i] = string(st)
	}
	where.Add("s.status = ANY(?)", codes)
	sql := where.SQL()
	rows, err := s.DB.Pool.Query(ctx, `SELECT s.status, count(*)::int FROM obligations o`+obligationKeyJoins(sql)+` `+sql+` GROUP BY s.status`, where.Args...)
	if err != nil {
		return nil, fmt.Errorf("count obligations by status: %w", err)
	}
	counts := map[ObligationStatus]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		counts[ObligationStatus(st)] = n
	}
	return counts, rows.Err()
}

// AllObligations returns every obligation matching the filters (for CSV).
func (s *Service) AllObligations(ctx context.Context, p listing.Params) ([]Obligation, error) {
	where, errs := obligationFilters(p)
	if errs.Any() {
		return nil, errs
	}
	return listObligations(ctx, s.DB.Pool, where, p)
}

func obligationFilters(p listing.Params) (*listing.Where, *forms.Errors) {
	w := &listing.Where{}
	errs := &forms.Errors{}
	w.Archived(p, "o.archived_at")
	if q := p.Search; q != "" {
		like := listing.Like(q)
		// The obligation's own fields each through their trigram index
		// (migration 00014), the agreement's and site's through the few
		// agreements that match: an OR across the joined tables reads
		// every obligation.
		w.Add(`o.id IN (SELECT id FROM obligations WHERE search_fold(description) LIKE search_fold(?)
			UNION ALL SELECT id FROM obligations WHERE search_fold(clause_ref) LIKE search_fold(?)
			UNION ALL SELECT so.id FROM obligations so WHERE so.agreement_id IN (
				SELECT sa.id FROM agreements sa JOIN developments sd ON sd.id = sa.development_id
				WHERE sa.reference ILIKE ? OR search_fold(sd.name) LIKE search_fold(?) OR search_fold(sd.address) LIKE search_fold(?) OR sd.postcode ILIKE ?
				   OR EXISTS (SELECT 1 FROM agreement_parties ap JOIN organisations org ON org.id = ap.organisation_id
				              WHERE ap.agreement_id = sa.id AND search_fold(org.name) LIKE search_fold(?))))`, like, like, like, like, like, like, like)
	}
	if v := p.Get("status"); v != "" {
		w.Add("s.status = ?", v)
	}
	if v := p.Get("purpose"); v != "" {
		w.Add("o.purpose_code IN (SELECT code FROM contribution_purposes WHERE code = ? OR parent_code = ?)", v, v)
	}
	if v := p.Get("kind"); v != "" {
		w.Add("o.kind = ?", v)
	}
	if v := p.Get("ward"); v != "" {
		w.Add("d.ward = ?", v)
	}
	if v := p.Get("officer"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			w.Add("a.responsible_officer_id = ?", id)
		} else if v == "none" {
			w.Add("a.responsible_officer_id IS NULL")
		}
	}
	if v := p.Get("agreement"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			w.Add("o.agreement_id = ?", id)
		}
	}
	switch p.Get("trigger") {
	case "met":
		w.Add("s.trigger_met_on IS NOT NULL")
	case "not-met":
		w.Add("s.trigger_met_on IS NULL")
	}
	dateFilter := func(key, label, cond string) {
		v := p.Get(key)
		if v == "" {
			return
		}
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			errs.Add(key, label+" must be a real date in the form 2024-03-31")
			return
		}
		w.Add(cond, d)
	}
	dateFilter("signed-from", "Signed from", "a.date_signed >= ?")
	dateFilter("signed-to", "Signed to", "a.date_signed <= ?")
	dateFilter("met-from", "Trigger met from", "s.trigger_met_on >= ?")
	dateFilter("met-to", "Trigger met to", "s.trigger_met_on <= ?")
	return w, errs
}

func (o Obligation) label() string {
	if o.ClauseRef != "" {
		return "clause " + o.ClauseRef
	}
	d := o.Description
	if len(d) > 40 {
		d = d[:40] + "…"
	}
	return "“" + d + "”"
}

// Purposes returns every contribution purpose: national codes, each
// followed by its local sub-purposes.
func (s *Service) Purposes(ctx context.Context) ([]Purpose, error) {
	return listPurposes(ctx, s.DB.Pool)
}

// IndexSeriesList returns the index series an obligation can be linked to.
func (s *Service) IndexSeriesList(ctx context.Context) ([]IndexSeries, error) {
	return listIndexSeries(ctx, s.DB.Pool)
}

// AddLocalPurpose adds a local sub-purpose mapped to a national code.
func (s *Service) AddLocalPurpose(ctx context.Context, actor audit.Actor, name, parent string) (Purpose, error) {
	errs := &forms.Errors{}
	name = strings.TrimSpace(name)
	code := slug(name)
	if name == "" {
		errs.Add("name", "Enter the name of the local purpose")
	} else if code == "" {
		errs.Add("name", "The name must contain letters or numbers")
	}
	if parent == "" {
		errs.Add("parent", "Select the national purpose it reports under")
	}
	var p Purpose
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if parent != "" {
			national, err := isNationalPurpose(ctx, tx, parent)
			if err != nil {
				return err
			}
			if !national {
				errs.Add("parent", "Select a national purpose from the list")
			}
		}
		if errs.Any() {
			return errs
		}
		p = Purpose{Code: parent + "-" + code, Name: name, ParentCode: parent}
		if err := insertPurpose(ctx, tx, p); err != nil {
			if store.IsUniqueViolation(err, "") {
				errs.Add("name", "There is already a local purpose with this name under that national purpose")
				return errs
			}
			return err
		}
		return audit.Record(ctx, tx, actor, "purpose.create", "purpose", p.Code, "Added local purpose "+name,
			nil, map[string]any{"name": name, "reports under": parent})
	})
	return p, err
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
