package agreements

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// PartyRows is how many party rows the agreement form offers.
const PartyRows = 4

// PartyInput is one row of the parties part of the agreement form.
type PartyInput struct {
	Role          string
	Name          string
	CompanyNumber string
}

// AgreementInput is what an officer records about an agreement. Typed
// fields (ids, the date) are parsed by the form layer; the rules here
// check their meaning.
type AgreementInput struct {
	Reference            string
	DevelopmentID        int64 // 0 when none was chosen
	Type                 string
	ApplicationIDs       []int64
	DateSigned           *time.Time
	Status               string
	DeedURL              string
	ResponsibleOfficerID *int64
	VariesAgreementID    *int64
	VariationSummary     string
	Notes                string
	Parties              []PartyInput // PartyRows rows, blank ones included
}

// Officer is a user who may be made responsible for an agreement.
type Officer struct {
	ID   int64
	Name string
}

// AgreementRef is a short reference to an agreement, for links and choices.
type AgreementRef struct {
	ID              int64
	Reference       string
	Type            AgreementType
	Status          AgreementStatus
	DateSigned      *time.Time
	DevelopmentName string
}

// AgreementRow is an agreement as the register list and its CSV show it.
type AgreementRow struct {
	Agreement
	Ward            string
	Developers      []string
	Owners          []string
	ObligationCount int
}

// AgreementObligation is an obligation as its agreement's page lists it.
type AgreementObligation struct {
	ID          int64
	ClauseRef   string
	Kind        ObligationKind
	PurposeName string
	Description string
	Status      ObligationStatus
	TriggerType *TriggerType
	BaseAmount  *decimal.Decimal
	Archived    bool
}

// DeedVariation is one obligation a deed of variation changes, and how.
type DeedVariation struct {
	ObligationID  int64
	ClauseRef     string
	Kind          ObligationKind
	Description   string
	ChangeSummary string
	RecordedAt    time.Time
}

// AgreementChoices are what the agreement form offers to choose from.
type AgreementChoices struct {
	Developments []Development         // not archived (plus the one asked for)
	Applications []PlanningApplication // of the development asked for
	Officers     []Officer
	Agreements   []AgreementRef // that a deed of variation may vary
}

// companyNumber is a Companies House number: 8 letters or digits, such as
// 01234567 or SC123456.
var companyNumber = regexp.MustCompile(`^[A-Z0-9]{8}$`)

// today is the council's date: "today" for a signing date is today in
// England, not in UTC.
func (s *Service) today() time.Time { return fy.Today(s.now()) }

func knownType(t string) bool {
	for _, k := range AgreementTypes {
		if string(k) == t {
			return true
		}
	}
	return false
}

func knownStatus(st string) bool {
	for _, k := range AgreementStatuses {
		if string(k) == st {
			return true
		}
	}
	return false
}

func knownRole(r string) bool {
	for _, k := range PartyRoles {
		if string(k) == r {
			return true
		}
	}
	return false
}

// PartyField names a party row's form field, e.g. PartyField(1, "name") is
// "party-1-name".
func PartyField(row int, part string) string {
	return "party-" + strconv.Itoa(row) + "-" + part
}

// normalise trims the input and drops what does not apply to its type.
func (in *AgreementInput) normalise() {
	for _, s := range []*string{&in.Reference, &in.Type, &in.Status, &in.DeedURL, &in.VariationSummary, &in.Notes} {
		*s = strings.TrimSpace(*s)
	}
	for i := range in.Parties {
		p := &in.Parties[i]
		p.Role = strings.TrimSpace(p.Role)
		p.Name = strings.Join(strings.Fields(p.Name), " ")
		p.CompanyNumber = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(p.CompanyNumber), " ", ""))
	}
	if in.Type != string(TypeVariation) {
		in.VariesAgreementID = nil
		in.VariationSummary = ""
	}
}

// Check is the agreement's rules that need no database (validate) as of
// today, for callers outside the service: the register import checks each
// row with it, so a file cannot hold an agreement the form would refuse.
func (in AgreementInput) Check(today time.Time) *forms.Errors {
	errs := &forms.Errors{}
	in.validate(today, errs)
	return errs
}

// validate checks the rules that need no database, in the order the form
// shows the fields.
func (in *AgreementInput) validate(today time.Time, errs *forms.Errors) {
	in.normalise()
	switch {
	case in.Reference == "":
		errs.Add("reference", "Enter the agreement reference")
	case len(in.Reference) > 100:
		errs.Add("reference", "Agreement reference must be 100 characters or fewer")
	}
	if in.DevelopmentID == 0 {
		errs.Add("development", "Select the development")
	}
	switch {
	case in.Type == "":
		errs.Add("type", "Select the type of agreement")
	case !knownType(in.Type):
		errs.Add("type", "Select a type of agreement from the list")
	}
	if in.Type == string(TypeVariation) {
		if in.VariesAgreementID == nil {
			errs.Add("varies_agreement", "Select the agreement this deed varies")
		}
		if in.VariationSummary == "" {
			errs.Add("variation_summary", "Describe what the deed changes")
		}
	}
	switch {
	case in.Status == "":
		errs.Add("status", "Select the status of the agreement")
	case !knownStatus(in.Status):
		errs.Add("status", "Select a status from the list")
	}
	if in.DateSigned == nil {
		if in.Status != "" && in.Status != string(StatusDraft) {
			errs.Add("date_signed", "Enter the date the agreement was signed (only a draft can be without one)")
		}
	} else if in.DateSigned.After(today) {
		errs.Add("date_signed", "Date signed must be today or in the past")
	}
	if in.DeedURL != "" {
		u, err := url.Parse(in.DeedURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(in.DeedURL, " \t\r\n") {
			errs.Add("deed_url", "Enter the link to the signed deed as a web address starting with https://, like https://documents.example.gov.uk/s106/21-AP-1234.pdf")
		} else if len(in.DeedURL) > 2000 {
			errs.Add("deed_url", "Link to the signed deed must be 2,000 characters or fewer")
		}
	}
	for i, p := range in.Parties {
		row := i + 1
		if p.Name == "" {
			if p.Role != "" || p.CompanyNumber != "" {
				errs.Add(PartyField(row, "name"), fmt.Sprintf("Enter the name of party %d, or clear its role and company number", row))
			}
			continue
		}
		switch {
		case p.Role == "":
			errs.Add(PartyField(row, "role"), fmt.Sprintf("Select the role of party %d (%s)", row, p.Name))
		case !knownRole(p.Role):
			errs.Add(PartyField(row, "role"), fmt.Sprintf("Select a role for party %d from the list", row))
		}
		if len(p.Name) > 200 {
			errs.Add(PartyField(row, "name"), fmt.Sprintf("Name of party %d must be 200 characters or fewer", row))
		}
		if p.CompanyNumber != "" && !companyNumber.MatchString(p.CompanyNumber) {
			errs.Add(PartyField(row, "company"), fmt.Sprintf("Company number of party %d must be 8 letters or digits, like 01234567 or SC123456", row))
		}
	}
	if len(in.Notes) > 10000 {
		errs.Add("notes", "Notes must be 10,000 characters or fewer")
	}
}

// parties returns the rows that name a party, in form order.
func (in AgreementInput) parties() []Party {
	var out []Party
	for _, p := range in.Parties {
		if p.Name != "" {
			out = append(out, Party{Role: PartyRole(p.Role), Name: p.Name, CompanyNumber: p.CompanyNumber})
		}
	}
	return out
}

// checkAgainstRecords applies the rules that need the database: the
// development, its planning applications, the officer, the varied agreement
// and the reference's uniqueness. before is nil when recording a new agreement.
func checkAgainstRecords(ctx context.Context, q store.Querier, in AgreementInput, before *Agreement, errs *forms.Errors) error {
	selfID := int64(0)
	if before != nil {
		selfID = before.ID
	}
	if in.Reference != "" {
		taken, err := agreementReferenceTaken(ctx, q, in.Reference, selfID)
		if err != nil {
			return err
		}
		if taken {
			errs.Add("reference", "An agreement with reference "+in.Reference+" already exists")
		}
	}
	if in.DevelopmentID != 0 {
		archived, err := developmentArchivedForAgreement(ctx, q, in.DevelopmentID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs.Add("development", "Select a development from the list")
		case err != nil:
			return err
		case archived && (before == nil || before.DevelopmentID != in.DevelopmentID):
			errs.Add("development", "That development is archived: restore it first, or select another")
		}
	}
	if len(in.ApplicationIDs) > 0 && in.DevelopmentID != 0 {
		ok, err := applicationsBelongTo(ctx, q, in.DevelopmentID, in.ApplicationIDs)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("applications", "Choose planning applications of the selected development")
		}
	}
	if in.VariesAgreementID != nil {
		if selfID != 0 && *in.VariesAgreementID == selfID {
			errs.Add("varies_agreement", "A deed of variation cannot vary itself: select the agreement it varies")
		} else if _, err := agreementRefByID(ctx, q, *in.VariesAgreementID); errors.Is(err, store.ErrNotFound) {
			errs.Add("varies_agreement", "Select the agreement this deed varies from the list")
		} else if err != nil {
			return err
		}
	}
	if before != nil {
		n, err := countDeedVariations(ctx, q, before.ID)
		if err != nil {
			return err
		}
		if n > 0 && in.Type != string(TypeVariation) {
			errs.Add("type", "This deed has recorded changes to obligations, so it must stay a deed of variation")
		} else if n > 0 && in.VariesAgreementID != nil && before.VariesAgreementID != nil && *in.VariesAgreementID != *before.VariesAgreementID {
			errs.Add("varies_agreement", "This deed has recorded changes to obligations of "+before.VariesReference+", so it must keep varying that agreement")
		}
	}
	if in.ResponsibleOfficerID != nil {
		unchanged := before != nil && before.ResponsibleOfficerID != nil && *before.ResponsibleOfficerID == *in.ResponsibleOfficerID
		if !unchanged {
			ok, err := userIsOfficer(ctx, q, *in.ResponsibleOfficerID)
			if err != nil {
				return err
			}
			if !ok {
				errs.Add("responsible_officer", "Select a responsible officer from the list")
			}
		}
	}
	return nil
}

// auditView is what the audit trail keeps of an agreement: the fields an
// officer sees, as they see them.
func (a Agreement) auditView() map[string]any {
	parties := make([]string, 0, len(a.Parties))
	for _, p := range a.Parties {
		s := p.Role.Label() + ": " + p.Name
		if p.CompanyNumber != "" {
			s += " (" + p.CompanyNumber + ")"
		}
		parties = append(parties, s)
	}
	apps := append([]string{}, a.ApplicationReferences...)
	signed := ""
	if a.DateSigned != nil {
		signed = a.DateSigned.Format("2006-01-02")
	}
	return map[string]any{
		"reference":             a.Reference,
		"development":           a.DevelopmentName,
		"type":                  a.Type.Label(),
		"status":                a.Status.Label(),
		"date signed":           signed,
		"deed link":             a.DeedURL,
		"responsible officer":   a.ResponsibleOfficer,
		"varies":                a.VariesReference,
		"what the deed changes": a.VariationSummary,
		"notes":                 a.Notes,
		"planning applications": apps,
		"parties":               parties,
	}
}

// ValidateAgreement checks an agreement without saving it, adding messages
// to errs (which may already hold the form's parsing errors) and returning
// errs when it holds any. agreementID is 0 for a new agreement. Handlers
// use it when the form could not be fully parsed, so every problem is
// shown at once.
func (s *Service) ValidateAgreement(ctx context.Context, in AgreementInput, agreementID int64, errs *forms.Errors) error {
	in.validate(s.today(), errs)
	var before *Agreement
	if agreementID != 0 {
		b, err := agreementByID(ctx, s.DB.Pool, agreementID)
		if err != nil {
			return err
		}
		before = &b
	}
	if err := checkAgainstRecords(ctx, s.DB.Pool, in, before, errs); err != nil {
		return err
	}
	return errs.OrNil()
}

// RecordAgreement adds an agreement with its parties and planning
// applications.
func (s *Service) RecordAgreement(ctx context.Context, actor audit.Actor, in AgreementInput) (Agreement, error) {
	errs := &forms.Errors{}
	in.validate(s.today(), errs)
	var a Agreement
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkAgainstRecords(ctx, tx, in, nil, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		id, err := insertAgreement(ctx, tx, in)
		if store.IsUniqueViolation(err, "agreements_reference_key") {
			errs.Add("reference", "An agreement with reference "+in.Reference+" already exists")
			return errs
		}
		if err != nil {
			return err
		}
		if err := replaceAgreementLinks(ctx, tx, id, in); err != nil {
			return err
		}
		if a, err = agreementByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "agreement.create", "agreement", strconv.FormatInt(id, 10),
			"Recorded agreement "+a.Reference, nil, a.auditView())
	})
	return a, err
}

// UpdateAgreement changes an agreement, replacing its parties and planning
// applications with those given; version must be the one the officer's
// form was based on.
func (s *Service) UpdateAgreement(ctx context.Context, actor audit.Actor, id int64, version int, in AgreementInput) (Agreement, error) {
	errs := &forms.Errors{}
	in.validate(s.today(), errs)
	var after Agreement
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := agreementByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkAgainstRecords(ctx, tx, in, &before, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		if before.Version != version {
			return store.ErrConflict
		}
		err = updateAgreement(ctx, tx, id, version, in)
		if store.IsUniqueViolation(err, "agreements_reference_key") {
			errs.Add("reference", "An agreement with reference "+in.Reference+" already exists")
			return errs
		}
		if err != nil {
			return err
		}
		if err := replaceAgreementLinks(ctx, tx, id, in); err != nil {
			return err
		}
		if after, err = agreementByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "agreement.update", "agreement", strconv.FormatInt(id, 10),
			"Changed agreement "+after.Reference, before.auditView(), after.auditView())
	})
	return after, err
}

// SetAgreementArchived archives (hides from lists, keeps everything) or
// restores an agreement. Agreements are never deleted.
func (s *Service) SetAgreementArchived(ctx context.Context, actor audit.Actor, id int64, version int, archived bool) (Agreement, error) {
	var after Agreement
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := agreementByIDForUpdate(ctx, tx, id)
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
		if err := setAgreementArchived(ctx, tx, id, version, at); err != nil {
			return err
		}
		if after, err = agreementByID(ctx, tx, id); err != nil {
			return err
		}
		action, summary := "agreement.restore", "Restored agreement "+after.Reference
		if archived {
			action, summary = "agreement.archive", "Archived agreement "+after.Reference
		}
		return audit.Record(ctx, tx, actor, action, "agreement", strconv.FormatInt(id, 10), summary,
			map[string]any{"archived": before.ArchivedAt != nil}, map[string]any{"archived": archived})
	})
	return after, err
}

// GetAgreement returns one agreement with its parties, planning
// applications, responsible officer's name and the reference of the
// agreement it varies.
func (s *Service) GetAgreement(ctx context.Context, id int64) (Agreement, error) {
	return agreementByID(ctx, s.DB.Pool, id)
}

// AgreementSorts are the columns the agreements list sorts by.
var AgreementSorts = []string{"reference", "development", "type", "status", "signed", "obligations"}

// ListAgreements returns one page of agreements matching the filters: q
// (reference, planning application, development name, address or
// postcode, or a party's name), status, type, ward, officer (a user id or
// "none"), signed-from, signed-to (ISO dates) and archived (include|only).
// Bad filter values come back as *forms.Errors keyed by filter name.
func (s *Service) ListAgreements(ctx context.Context, p listing.Params) (listing.Page[AgreementRow], error) {
	where, errs := agreementFilters(p)
	if errs.Any() {
		return listing.Page[AgreementRow]{Params: p}, errs
	}
	return agreementsPage(ctx, s.DB.Pool, where, p, agreementListKeyset(p))
}

// AllAgreements returns every agreement matching the filters, in the
// list's order (for the CSV download).
func (s *Service) AllAgreements(ctx context.Context, p listing.Params) ([]AgreementRow, error) {
	where, errs := agreementFilters(p)
	if errs.Any() {
		return nil, errs
	}
	return listAgreements(ctx, s.DB.Pool, where, p)
}

func agreementFilters(p listing.Params) (*listing.Where, *forms.Errors) {
	w := &listing.Where{}
	errs := &forms.Errors{}
	w.Archived(p, "a.archived_at")
	if q := p.Search; q != "" {
		like := listing.Like(q)
		// The matching developments, parties and applications are found
		// once each (hashed subplans through their own indexes), so
		// testing an agreement costs little and PostgreSQL can walk the
		// list's order index and stop after a page (issue 22).
		w.Add(`(a.reference ILIKE ?
			OR a.development_id IN (SELECT sd.id FROM developments sd
			           WHERE search_fold(sd.name) LIKE search_fold(?) OR search_fold(sd.address) LIKE search_fold(?) OR sd.postcode ILIKE ?)
			OR a.id IN (SELECT ap.agreement_id FROM agreement_parties ap JOIN organisations org ON org.id = ap.organisation_id
			           WHERE search_fold(org.name) LIKE search_fold(?))
			OR a.id IN (SELECT aa.agreement_id FROM agreement_applications aa JOIN planning_applications pa ON pa.id = aa.planning_application_id
			           WHERE pa.reference ILIKE ?))`, like, like, like, like, like, like)
	}
	if v := p.Get("status"); v != "" {
		if knownStatus(v) {
			w.Add("a.status = ?", v)
		} else {
			errs.Add("status", "Select a status from the list")
		}
	}
	if v := p.Get("type"); v != "" {
		if knownType(v) {
			w.Add("a.agreement_type = ?", v)
		} else {
			errs.Add("type", "Select a type of agreement from the list")
		}
	}
	if v := p.Get("ward"); v != "" {
		w.Add("d.ward = ?", v)
	}
	if v := p.Get("officer"); v != "" {
		if v == "none" {
			w.Add("a.responsible_officer_id IS NULL")
		} else if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			w.Add("a.responsible_officer_id = ?", id)
		} else {
			errs.Add("officer", "Select a responsible officer from the list")
		}
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
	return w, errs
}

// AgreementObligations lists an agreement's obligations in clause order
// with their derived status, archived ones last.
func (s *Service) AgreementObligations(ctx context.Context, agreementID int64) ([]AgreementObligation, error) {
	return listAgreementObligations(ctx, s.DB.Pool, agreementID)
}

// Checklist says what an agreement still lacks before it can be monitored
// (the "Check an agreement" list); it is empty when nothing is missing.
func (s *Service) Checklist(ctx context.Context, agreementID int64) ([]ChecklistItem, error) {
	a, obs, err := checklistFacts(ctx, s.DB.Pool, agreementID)
	if err != nil {
		return nil, err
	}
	return AgreementChecklist(a, obs), nil
}

// Officers lists the enabled users holding the monitoring officer role, by
// name, for the responsible-officer choice and filter.
func (s *Service) Officers(ctx context.Context) ([]Officer, error) {
	return listOfficers(ctx, s.DB.Pool)
}

// AgreementWards lists the wards of developments that have agreements, for
// the list's ward filter.
func (s *Service) AgreementWards(ctx context.Context) ([]string, error) {
	return listAgreementWards(ctx, s.DB.Pool)
}

// AgreementChoices returns what the agreement form offers: developments
// that are not archived (and developmentID, whichever it is), the planning
// applications of developmentID, the officers, and the agreements other
// than agreementID that a deed of variation may vary.
func (s *Service) AgreementChoices(ctx context.Context, developmentID, agreementID int64) (AgreementChoices, error) {
	var c AgreementChoices
	var err error
	if c.Developments, err = agreementDevelopmentChoices(ctx, s.DB.Pool, developmentID); err != nil {
		return c, err
	}
	if developmentID != 0 {
		if c.Applications, err = agreementApplicationChoices(ctx, s.DB.Pool, developmentID); err != nil {
			return c, err
		}
	}
	if c.Officers, err = listOfficers(ctx, s.DB.Pool); err != nil {
		return c, err
	}
	c.Agreements, err = listVariableAgreements(ctx, s.DB.Pool, agreementID)
	return c, err
}

// VariedBy lists the deeds of variation that vary an agreement, oldest first.
func (s *Service) VariedBy(ctx context.Context, agreementID int64) ([]AgreementRef, error) {
	return listVaryingDeeds(ctx, s.DB.Pool, agreementID)
}

// Variations lists the obligations a deed of variation changes, and how.
func (s *Service) Variations(ctx context.Context, deedID int64) ([]DeedVariation, error) {
	return listDeedVariations(ctx, s.DB.Pool, deedID)
}

// VariableObligations lists the obligations of the agreement a deed of
// variation varies that the deed has not yet recorded a change to.
func (s *Service) VariableObligations(ctx context.Context, deedID int64) ([]AgreementObligation, error) {
	deed, err := agreementByID(ctx, s.DB.Pool, deedID)
	if err != nil {
		return nil, err
	}
	if deed.VariesAgreementID == nil {
		return nil, nil
	}
	return listUnvariedObligations(ctx, s.DB.Pool, deedID, *deed.VariesAgreementID)
}

// ErrNotADeedOfVariation is returned when a variation is recorded against
// an agreement that is not a deed of variation.
var ErrNotADeedOfVariation = errors.New("the agreement is not a deed of variation")

// RecordVariation records that a deed of variation changes one obligation
// of the agreement it varies, with what it changes. The obligation's own
// terms are edited separately, so its History keeps the old terms; this
// event appears in both the deed's and the obligation's History.
func (s *Service) RecordVariation(ctx context.Context, actor audit.Actor, deedID, obligationID int64, changeSummary string) (DeedVariation, error) {
	errs := &forms.Errors{}
	changeSummary = strings.TrimSpace(changeSummary)
	if obligationID == 0 {
		errs.Add("obligation", "Select the obligation the deed changes")
	}
	if changeSummary == "" {
		errs.Add("change_summary", "Describe how the deed changes the obligation")
	} else if len(changeSummary) > 5000 {
		errs.Add("change_summary", "The description of the change must be 5,000 characters or fewer")
	}
	var v DeedVariation
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		deed, err := agreementByIDForUpdate(ctx, tx, deedID)
		if err != nil {
			return err
		}
		if deed.Type != TypeVariation || deed.VariesAgreementID == nil {
			return ErrNotADeedOfVariation
		}
		var ob AgreementObligation
		if obligationID != 0 {
			var obAgreement int64
			ob, obAgreement, err = obligationForVariation(ctx, tx, obligationID)
			switch {
			case errors.Is(err, store.ErrNotFound) || (err == nil && obAgreement != *deed.VariesAgreementID):
				errs.Add("obligation", "Select an obligation of agreement "+deed.VariesReference)
			case err != nil:
				return err
			}
		}
		if errs.Any() {
			return errs
		}
		v, err = insertDeedVariation(ctx, tx, deedID, obligationID, changeSummary)
		if store.IsUniqueViolation(err, "obligation_variations_pkey") {
			errs.Add("obligation", "This deed's change to that obligation is already recorded")
			return errs
		}
		if err != nil {
			return err
		}
		v.ClauseRef, v.Kind, v.Description = ob.ClauseRef, ob.Kind, ob.Description
		label := obligationLabel(ob.ClauseRef, ob.Description)
		after := map[string]any{"obligation": label, "varied agreement": deed.VariesReference, "change": changeSummary}
		if err := audit.Record(ctx, tx, actor, "agreement.vary", "agreement", strconv.FormatInt(deedID, 10),
			"Recorded that "+deed.Reference+" changes "+label, nil, after); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "obligation.vary", "obligation", strconv.FormatInt(obligationID, 10),
			"Varied by deed of variation "+deed.Reference, nil,
			map[string]any{"deed of variation": deed.Reference, "change": changeSummary})
	})
	return v, err
}

// obligationLabel names an obligation in a sentence: by its clause, or by
// the start of its description.
func obligationLabel(clause, description string) string {
	if clause != "" {
		return "clause " + clause
	}
	r := []rune(description)
	if len(r) > 40 {
		return "“" + string(r[:40]) + "…”"
	}
	return "“" + description + "”"
}
