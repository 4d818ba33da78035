package agreements

import (
	"context"
	"errors"
	"fmt"
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

// Audit entity types for developments and their planning applications.
const (
	EntityDevelopment         = "development"
	EntityPlanningApplication = "planning_application"
)

// Limits on the British National Grid and on latitude/longitude within the
// UK, as the schema's CHECK constraints hold them.
const (
	MaxEasting    = 700000
	MaxNorthing   = 1300000
	maxHomes      = 1000000
	maxNameLength = 200
)

var (
	minLatitude  = decimal.NewFromInt(49)
	maxLatitude  = decimal.NewFromInt(61)
	minLongitude = decimal.NewFromInt(-9)
	maxLongitude = decimal.NewFromInt(2)
)

// DevelopmentInput is what an officer records about a development. Typed
// fields (coordinates, homes) are parsed by the form layer; the rules here
// check what they mean.
type DevelopmentInput struct {
	Name          string
	Address       string
	Postcode      string
	Ward          string
	Easting       *int
	Northing      *int
	Latitude      *decimal.Decimal
	Longitude     *decimal.Decimal
	HomesProposed *int
	Notes         string
}

// DevelopmentFields lists the development form's fields in page order, so
// messages can be shown in the order the fields appear.
var DevelopmentFields = []string{"name", "address", "postcode", "ward", "easting", "northing", "latitude", "longitude", "homes_proposed", "notes"}

// postcodePattern is a loose UK postcode check (outward code, inward code)
// on the upper-cased postcode with its spaces removed.
var postcodePattern = regexp.MustCompile(`^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$`)

// NormalisePostcode upper-cases a postcode and puts one space before the
// inward code ("sw1a1aa" → "SW1A 1AA"). ok is false when it does not look
// like a UK postcode.
func NormalisePostcode(s string) (string, bool) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	m := postcodePattern.FindStringSubmatch(compact)
	if m == nil {
		return s, false
	}
	return m[1] + " " + m[2], true
}

// Validate checks the development's rules and normalises what was typed
// (trimmed text, the postcode's spacing). The form layer calls it to show
// every message at once, even when a typed field could not be parsed.
func (in *DevelopmentInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	for _, s := range []*string{&in.Name, &in.Address, &in.Postcode, &in.Ward, &in.Notes} {
		*s = strings.TrimSpace(*s)
	}
	in.Ward = strings.Join(strings.Fields(in.Ward), " ")

	switch {
	case in.Name == "":
		errs.Add("name", "Enter the development name")
	case len([]rune(in.Name)) > maxNameLength:
		errs.Add("name", "Development name must be 200 characters or fewer")
	}
	if len([]rune(in.Address)) > 1000 {
		errs.Add("address", "Address must be 1,000 characters or fewer")
	}
	if in.Postcode != "" {
		if pc, ok := NormalisePostcode(in.Postcode); ok {
			in.Postcode = pc
		} else {
			errs.Add("postcode", "Enter a real postcode, like SW1A 1AA")
		}
	}
	if len([]rune(in.Ward)) > 100 {
		errs.Add("ward", "Ward must be 100 characters or fewer")
	}

	// Coordinates: a grid reference or a latitude and longitude, each
	// pair complete, and inside Great Britain / the UK.
	switch {
	case in.Easting != nil && in.Northing == nil:
		errs.Add("northing", "Enter the northing as well as the easting, or remove the easting")
	case in.Easting == nil && in.Northing != nil:
		errs.Add("easting", "Enter the easting as well as the northing, or remove the northing")
	}
	if in.Easting != nil && (*in.Easting < 0 || *in.Easting > MaxEasting) {
		errs.Add("easting", "Easting must be between 0 and 700000 metres (a British National Grid reference)")
	}
	if in.Northing != nil && (*in.Northing < 0 || *in.Northing > MaxNorthing) {
		errs.Add("northing", "Northing must be between 0 and 1300000 metres (a British National Grid reference)")
	}
	switch {
	case in.Latitude != nil && in.Longitude == nil:
		errs.Add("longitude", "Enter the longitude as well as the latitude, or remove the latitude")
	case in.Latitude == nil && in.Longitude != nil:
		errs.Add("latitude", "Enter the latitude as well as the longitude, or remove the longitude")
	}
	if in.Latitude != nil && (in.Latitude.LessThan(minLatitude) || in.Latitude.GreaterThan(maxLatitude)) {
		errs.Add("latitude", "Latitude must be between 49 and 61 (in the UK)")
	}
	if in.Longitude != nil && (in.Longitude.LessThan(minLongitude) || in.Longitude.GreaterThan(maxLongitude)) {
		errs.Add("longitude", "Longitude must be between -9 and 2 (in the UK)")
	}
	if (in.Easting != nil || in.Northing != nil) && (in.Latitude != nil || in.Longitude != nil) {
		errs.Add("latitude", "Enter either an easting and northing or a latitude and longitude, not both")
	}
	for _, d := range []**decimal.Decimal{&in.Latitude, &in.Longitude} {
		if *d != nil {
			r := (*d).Round(6) // the schema keeps 6 decimal places (about 10 cm)
			*d = &r
		}
	}

	if in.HomesProposed != nil {
		switch {
		case *in.HomesProposed < 0:
			errs.Add("homes_proposed", "Homes proposed must be 0 or more")
		case *in.HomesProposed > maxHomes:
			errs.Add("homes_proposed", "Homes proposed must be 1,000,000 or fewer")
		}
	}
	if len([]rune(in.Notes)) > 10000 {
		errs.Add("notes", "Notes must be 10,000 characters or fewer")
	}
	return errs
}

func (in DevelopmentInput) apply(d *Development) {
	d.Name, d.Address, d.Postcode, d.Ward, d.Notes = in.Name, in.Address, in.Postcode, in.Ward, in.Notes
	d.Easting, d.Northing, d.Latitude, d.Longitude = in.Easting, in.Northing, in.Latitude, in.Longitude
	d.HomesProposed = in.HomesProposed
}

// auditView is what the audit trail keeps of a development: the fields an
// officer sees, so History can show what changed.
func (d Development) auditView() map[string]any {
	m := map[string]any{
		"name":           d.Name,
		"address":        d.Address,
		"postcode":       d.Postcode,
		"ward":           d.Ward,
		"easting":        optionalIntText(d.Easting),
		"northing":       optionalIntText(d.Northing),
		"latitude":       optionalDecimalText(d.Latitude),
		"longitude":      optionalDecimalText(d.Longitude),
		"homes_proposed": optionalIntText(d.HomesProposed),
		"notes":          d.Notes,
		"archived":       d.ArchivedAt != nil,
	}
	return m
}

func optionalIntText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func optionalDecimalText(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// Archived reports whether the development is hidden from lists.
func (d Development) Archived() bool { return d.ArchivedAt != nil }

// RecordDevelopment adds a development.
func (s *Service) RecordDevelopment(ctx context.Context, actor audit.Actor, in DevelopmentInput) (Development, error) {
	if errs := in.Validate(); errs.Any() {
		return Development{}, errs
	}
	var d Development
	in.apply(&d)
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = insertDevelopment(ctx, tx, d)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "development.create", EntityDevelopment, strconv.FormatInt(d.ID, 10),
			"Added development "+d.Name, nil, d.auditView())
	})
	if err != nil {
		return Development{}, fmt.Errorf("record development: %w", err)
	}
	return d, nil
}

// UpdateDevelopment changes a development. version is the version the
// officer's form was based on; if someone else has saved the development
// since, store.ErrConflict is returned and nothing changes.
func (s *Service) UpdateDevelopment(ctx context.Context, actor audit.Actor, id int64, version int, in DevelopmentInput) (Development, error) {
	if errs := in.Validate(); errs.Any() {
		return Development{}, errs
	}
	var after Development
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := developmentByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		after = before
		in.apply(&after)
		after, err = updateDevelopment(ctx, tx, after, version)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "development.update", EntityDevelopment, strconv.FormatInt(id, 10),
			"Changed development "+after.Name, before.auditView(), after.auditView())
	})
	if err != nil {
		return Development{}, wrapDevelopmentErr("update development", err)
	}
	return after, nil
}

// SetDevelopmentArchived archives a development (hiding it from lists) or
// restores it. Nothing is deleted: its applications, agreements and
// obligations stay, and a development with agreements may be archived.
func (s *Service) SetDevelopmentArchived(ctx context.Context, actor audit.Actor, id int64, version int, archived bool) (Development, error) {
	var after Development
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := developmentByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if before.Archived() == archived {
			after = before // already so: nothing to record
			return nil
		}
		var at *time.Time
		if archived {
			now := s.now()
			at = &now
		}
		after, err = setDevelopmentArchived(ctx, tx, id, version, at)
		if err != nil {
			return err
		}
		action, summary := "development.restore", "Restored development "+after.Name
		if archived {
			action, summary = "development.archive", "Archived development "+after.Name
		}
		return audit.Record(ctx, tx, actor, action, EntityDevelopment, strconv.FormatInt(id, 10), summary,
			before.auditView(), after.auditView())
	})
	if err != nil {
		return Development{}, wrapDevelopmentErr("archive development", err)
	}
	return after, nil
}

// wrapDevelopmentErr adds context to an error but leaves validation errors
// as they are, so handlers can still put them on the form.
func wrapDevelopmentErr(what string, err error) error {
	var verrs *forms.Errors
	if errors.As(err, &verrs) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// GetDevelopment returns one development.
func (s *Service) GetDevelopment(ctx context.Context, id int64) (Development, error) {
	return developmentByID(ctx, s.DB.Pool, id, false)
}

// DevelopmentRow is a development as the list and CSV show it: with its
// planning application references and how many agreements it has.
type DevelopmentRow struct {
	Development
	ApplicationReferences []string
	AgreementCount        int // agreements not archived
}

// DevelopmentSorts are the list's sort keys.
var DevelopmentSorts = []string{"name", "ward", "postcode", "homes", "agreements", "updated"}

// ListDevelopmentRows returns one page of developments matching the list
// page's search and filters: q (name, address, postcode or planning
// application reference), ward, and archived ("" hides archived ones,
// "include" shows them too, "only" shows only them).
func (s *Service) ListDevelopmentRows(ctx context.Context, p listing.Params) (listing.Page[DevelopmentRow], error) {
	rows, total, err := listDevelopments(ctx, s.DB.Pool, p, true)
	if err != nil {
		return listing.Page[DevelopmentRow]{}, err
	}
	return listing.Page[DevelopmentRow]{Items: rows, Total: total, Params: p}, nil
}

// ExportDevelopments returns every development matching the filters, in
// the list's order, without pagination (for CSV).
func (s *Service) ExportDevelopments(ctx context.Context, p listing.Params) ([]DevelopmentRow, error) {
	rows, _, err := listDevelopments(ctx, s.DB.Pool, p, false)
	return rows, err
}

// ListDevelopments is ListDevelopmentRows without the extra columns.
func (s *Service) ListDevelopments(ctx context.Context, p listing.Params) (listing.Page[Development], error) {
	page, err := s.ListDevelopmentRows(ctx, p)
	if err != nil {
		return listing.Page[Development]{}, err
	}
	out := listing.Page[Development]{Items: make([]Development, len(page.Items)), Total: page.Total, Params: p}
	for i, r := range page.Items {
		out.Items[i] = r.Development
	}
	return out, nil
}

// Wards lists the distinct wards developments are in, for filters.
func (s *Service) Wards(ctx context.Context) ([]string, error) {
	return distinctWards(ctx, s.DB.Pool)
}

// ApplicationInput is what an officer records about a planning application.
type ApplicationInput struct {
	Reference    string
	Description  string
	DecisionDate *time.Time // parsed by the form layer
}

// ApplicationFields lists the application form's fields in page order.
var ApplicationFields = []string{"reference", "description", "decision_date"}

// Validate checks an application's rules as at now (the decision date may
// not be after the council's today) and tidies what was typed. The form
// layer calls it to show every message at once.
func (in *ApplicationInput) Validate(now time.Time) *forms.Errors {
	today := fy.Today(now)
	errs := &forms.Errors{}
	in.Reference = strings.Join(strings.Fields(in.Reference), " ")
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case in.Reference == "":
		errs.Add("reference", "Enter the planning application reference")
	case len([]rune(in.Reference)) > 50:
		errs.Add("reference", "Planning application reference must be 50 characters or fewer")
	}
	if len([]rune(in.Description)) > 5000 {
		errs.Add("description", "Description must be 5,000 characters or fewer")
	}
	if in.DecisionDate != nil && in.DecisionDate.After(today) {
		errs.Add("decision_date", "Decision date must be today or in the past")
	}
	return errs
}

func (a PlanningApplication) auditView() map[string]any {
	date := ""
	if a.DecisionDate != nil {
		date = a.DecisionDate.Format("2006-01-02")
	}
	return map[string]any{"reference": a.Reference, "description": a.Description, "decision_date": date}
}

// checkReferenceFree refuses a reference another application already has
// (ignoring case), naming the development that has it.
func checkReferenceFree(ctx context.Context, tx pgx.Tx, reference string, exceptID int64) error {
	holder, found, err := applicationHolder(ctx, tx, reference, exceptID)
	if err != nil || !found {
		return err
	}
	errs := &forms.Errors{}
	errs.Add("reference", "Planning application "+holder.Reference+" is already recorded for the development "+holder.DevelopmentName)
	return errs
}

func duplicateReferenceErr(reference string) error {
	errs := &forms.Errors{}
	errs.Add("reference", "Planning application "+reference+" is already recorded for another development")
	return errs
}

// RecordApplication adds a planning application to a development.
func (s *Service) RecordApplication(ctx context.Context, actor audit.Actor, developmentID int64, in ApplicationInput) (PlanningApplication, error) {
	if errs := in.Validate(s.now()); errs.Any() {
		return PlanningApplication{}, errs
	}
	a := PlanningApplication{DevelopmentID: developmentID, Reference: in.Reference, Description: in.Description, DecisionDate: in.DecisionDate}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		dev, err := developmentByID(ctx, tx, developmentID, false)
		if err != nil {
			return err
		}
		if err := checkReferenceFree(ctx, tx, in.Reference, 0); err != nil {
			return err
		}
		a, err = insertApplication(ctx, tx, a)
		if store.IsUniqueViolation(err, "planning_applications_reference_key") {
			return duplicateReferenceErr(in.Reference)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "planning_application.create", EntityPlanningApplication, strconv.FormatInt(a.ID, 10),
			"Added planning application "+a.Reference+" to "+dev.Name, nil, a.auditView())
	})
	if err != nil {
		return PlanningApplication{}, wrapDevelopmentErr("record planning application", err)
	}
	return a, nil
}

// UpdateApplication changes a planning application, refusing a stale
// version with store.ErrConflict.
func (s *Service) UpdateApplication(ctx context.Context, actor audit.Actor, id int64, version int, in ApplicationInput) (PlanningApplication, error) {
	if errs := in.Validate(s.now()); errs.Any() {
		return PlanningApplication{}, errs
	}
	var after PlanningApplication
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := applicationByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if err := checkReferenceFree(ctx, tx, in.Reference, id); err != nil {
			return err
		}
		after = before
		after.Reference, after.Description, after.DecisionDate = in.Reference, in.Description, in.DecisionDate
		after, err = updateApplication(ctx, tx, after, version)
		if store.IsUniqueViolation(err, "planning_applications_reference_key") {
			return duplicateReferenceErr(in.Reference)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "planning_application.update", EntityPlanningApplication, strconv.FormatInt(id, 10),
			"Changed planning application "+after.Reference, before.auditView(), after.auditView())
	})
	if err != nil {
		return PlanningApplication{}, wrapDevelopmentErr("update planning application", err)
	}
	return after, nil
}

// GetApplication returns one planning application.
func (s *Service) GetApplication(ctx context.Context, id int64) (PlanningApplication, error) {
	return applicationByID(ctx, s.DB.Pool, id, false)
}

// ApplicationsForDevelopment lists a development's planning applications,
// most recently decided first (undecided ones last), then by reference.
func (s *Service) ApplicationsForDevelopment(ctx context.Context, developmentID int64) ([]PlanningApplication, error) {
	return applicationsForDevelopment(ctx, s.DB.Pool, developmentID)
}

// DevelopmentAgreement is an agreement as the development page lists it.
type DevelopmentAgreement struct {
	ID              int64
	Reference       string
	Type            AgreementType
	Status          AgreementStatus
	DateSigned      *time.Time
	ObligationCount int // obligations not archived
	Archived        bool
}

// DevelopmentAgreements lists the agreements for a development (archived
// ones too, marked), oldest signed first, drafts last.
func (s *Service) DevelopmentAgreements(ctx context.Context, developmentID int64) ([]DevelopmentAgreement, error) {
	return developmentAgreements(ctx, s.DB.Pool, developmentID)
}

// DevelopmentHistory returns the audit events about a development and
// about each of its planning applications, newest first, in one query.
func (s *Service) DevelopmentHistory(ctx context.Context, developmentID int64, limit int) ([]audit.Event, error) {
	return developmentHistory(ctx, s.DB.Pool, developmentID, limit)
}
