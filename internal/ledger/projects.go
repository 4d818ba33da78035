package ledger

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// EntityProject is the audit entity type for projects.
const EntityProject = "project"

// ProjectStatus is where a project is in its life.
type ProjectStatus string

// Project statuses.
const (
	ProjectProposed   ProjectStatus = "proposed"
	ProjectApproved   ProjectStatus = "approved"
	ProjectInProgress ProjectStatus = "in-progress"
	ProjectCompleted  ProjectStatus = "completed"
	ProjectCancelled  ProjectStatus = "cancelled"
)

// ProjectStatuses lists the statuses in life order.
var ProjectStatuses = []ProjectStatus{ProjectProposed, ProjectApproved, ProjectInProgress, ProjectCompleted, ProjectCancelled}

// Label is the status as officers say it.
func (s ProjectStatus) Label() string {
	switch s {
	case ProjectProposed:
		return "Proposed"
	case ProjectApproved:
		return "Approved"
	case ProjectInProgress:
		return "In progress"
	case ProjectCompleted:
		return "Completed"
	case ProjectCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Colour is the GOV.UK tag colour for the status.
func (s ProjectStatus) Colour() string {
	switch s {
	case ProjectProposed:
		return "grey"
	case ProjectApproved:
		return "blue"
	case ProjectInProgress:
		return "yellow"
	case ProjectCompleted:
		return "green"
	case ProjectCancelled:
		return "red"
	}
	return ""
}

func validProjectStatus(s string) bool {
	for _, st := range ProjectStatuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

// Project is something the council spends S106 money on. It pools money
// allocated from many obligations, of many agreements.
type Project struct {
	ID                int64
	Name              string
	Description       string
	ServiceArea       string
	PurposeCode       string
	PurposeName       string
	ExpectedSpendDate *time.Time
	Status            ProjectStatus
	ArchivedAt        *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
	// The authority's decision to spend on the project: until it is
	// recorded, money set against the project is earmarked, not allocated
	// (CIL Regulations Schedule 2 paragraph 3(c), (e) and (g) report money
	// "allocated by the authority").
	DecisionDate      *time.Time
	DecisionMaker     DecisionMaker
	DecisionBy        string // e.g. "Planning Committee", "Cabinet Member for Education"
	DecisionReference string // minute or decision notice

	// From the standing ledger entries.
	Allocated decimal.Decimal // net of de-allocations
	Spent     decimal.Decimal
}

// Unspent is the money allocated to the project and not yet spent.
func (p Project) Unspent() decimal.Decimal { return p.Allocated.Sub(p.Spent) }

// Decided reports whether the authority's spending decision is recorded:
// only then is money set against the project allocated; before, it is
// earmarked.
func (p Project) Decided() bool { return p.DecisionDate != nil }

// DecisionMaker is who made a spending decision.
type DecisionMaker string

// Decision makers. NotRecorded marks projects approved before decisions
// were recorded (migration 00021); it cannot be chosen for a new decision.
const (
	DecisionCommittee        DecisionMaker = "committee"
	DecisionCabinetMember    DecisionMaker = "cabinet-member"
	DecisionDelegatedOfficer DecisionMaker = "delegated-officer"
	DecisionNotRecorded      DecisionMaker = "not-recorded"
)

// DecisionMakers lists the makers an officer can choose.
var DecisionMakers = []DecisionMaker{DecisionCommittee, DecisionCabinetMember, DecisionDelegatedOfficer}

// Label is the decision maker as officers say it.
func (m DecisionMaker) Label() string {
	switch m {
	case DecisionCommittee:
		return "Committee"
	case DecisionCabinetMember:
		return "Cabinet member"
	case DecisionDelegatedOfficer:
		return "Officer under delegated powers"
	case DecisionNotRecorded:
		return "Not recorded (approved before decisions were recorded)"
	}
	return ""
}

// decisionNeeded reports whether a status says the money is committed,
// so the project needs its spending decision.
func decisionNeeded(s ProjectStatus) bool {
	return s == ProjectApproved || s == ProjectInProgress || s == ProjectCompleted
}

// auditView is what the audit trail keeps of a project: the fields an
// officer sees, so History can show what changed.
func (p Project) auditView() map[string]any {
	expected := ""
	if p.ExpectedSpendDate != nil {
		expected = p.ExpectedSpendDate.Format("2006-01-02")
	}
	return map[string]any{
		"name":                p.Name,
		"description":         p.Description,
		"service area":        p.ServiceArea,
		"purpose":             p.PurposeName,
		"expected spend date": expected,
		"status":              p.Status.Label(),
		"decision date":       isoDate(p.DecisionDate),
		"decision maker":      p.DecisionMaker.Label(),
		"decided by":          p.DecisionBy,
		"decision reference":  p.DecisionReference,
	}
}

func isoDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format("2006-01-02")
}

// ProjectInput is what an officer records about a project.
type ProjectInput struct {
	Name              string
	Description       string
	ServiceArea       string
	PurposeCode       string
	ExpectedSpendDate *time.Time // parsed by the form layer
	Status            string
	// The spending decision: all empty for none yet.
	DecisionDate      *time.Time // parsed by the form layer
	DecisionMaker     string
	DecisionBy        string
	DecisionReference string
}

// ProjectFields lists the project form's fields in page order.
var ProjectFields = []string{"name", "description", "service_area", "purpose", "expected_spend_date", "status",
	"decision_date", "decision_maker", "decision_by", "decision_reference"}

// Validate checks the project's rules that need no database and tidies
// what was typed. The form layer calls it to show every message at once.
func (in *ProjectInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Description = strings.TrimSpace(in.Description)
	in.ServiceArea = strings.Join(strings.Fields(in.ServiceArea), " ")
	in.PurposeCode = strings.TrimSpace(in.PurposeCode)
	in.Status = strings.TrimSpace(in.Status)
	switch {
	case in.Name == "":
		errs.Add("name", "Enter the project name")
	case len([]rune(in.Name)) > 200:
		errs.Add("name", "Project name must be 200 characters or fewer")
	}
	if len([]rune(in.Description)) > 5000 {
		errs.Add("description", "Description must be 5,000 characters or fewer")
	}
	if len([]rune(in.ServiceArea)) > 100 {
		errs.Add("service_area", "Service area must be 100 characters or fewer")
	}
	if in.PurposeCode == "" {
		errs.Add("purpose", "Select the purpose the project's money is for")
	}
	if in.Status == "" {
		errs.Add("status", "Select the project's status")
	} else if !validProjectStatus(in.Status) {
		errs.Add("status", "Select a status from the list")
	}
	in.validateDecision(errs)
	return errs
}

// validateDecision checks the spending decision: none at all, or its
// date, maker and reference (who decided is optional).
func (in *ProjectInput) validateDecision(errs *forms.Errors) {
	in.DecisionMaker = strings.TrimSpace(in.DecisionMaker)
	in.DecisionBy = strings.Join(strings.Fields(in.DecisionBy), " ")
	in.DecisionReference = strings.Join(strings.Fields(in.DecisionReference), " ")
	none := in.DecisionDate == nil && in.DecisionMaker == "" && in.DecisionBy == "" && in.DecisionReference == ""
	if none {
		if decisionNeeded(ProjectStatus(in.Status)) && !(errs.Get("decision_date") != "") {
			errs.Add("decision_date", "Enter the date of the spending decision: a project is "+strings.ToLower(ProjectStatus(in.Status).Label())+" only once the council has decided to spend on it")
		}
		return
	}
	if in.DecisionDate == nil && !(errs.Get("decision_date") != "") {
		errs.Add("decision_date", "Enter the date of the spending decision")
	}
	maker := DecisionMaker(in.DecisionMaker)
	switch {
	case in.DecisionMaker == "":
		errs.Add("decision_maker", "Select who made the spending decision")
	case maker != DecisionCommittee && maker != DecisionCabinetMember && maker != DecisionDelegatedOfficer && maker != DecisionNotRecorded:
		errs.Add("decision_maker", "Select who made the spending decision from the list")
	}
	if len([]rune(in.DecisionBy)) > 200 {
		errs.Add("decision_by", "Decided by must be 200 characters or fewer")
	}
	switch {
	case in.DecisionReference == "" && maker != DecisionNotRecorded:
		errs.Add("decision_reference", "Enter the decision's reference, such as the committee minute or decision notice number")
	case len([]rune(in.DecisionReference)) > 100:
		errs.Add("decision_reference", "Decision reference must be 100 characters or fewer")
	}
}

// checkDecisionDate refuses a decision dated in the future, and a maker
// "not recorded" that the project did not already have.
func (in ProjectInput) checkDecision(errs *forms.Errors, today time.Time, before DecisionMaker) {
	if in.DecisionDate != nil && in.DecisionDate.After(today) && !(errs.Get("decision_date") != "") {
		errs.Add("decision_date", "Date of the spending decision must be today or in the past")
	}
	if DecisionMaker(in.DecisionMaker) == DecisionNotRecorded && before != DecisionNotRecorded {
		errs.Add("decision_maker", "Select who made the spending decision from the list")
	}
}

func (in ProjectInput) apply(p *Project) {
	p.Name, p.Description, p.ServiceArea, p.PurposeCode = in.Name, in.Description, in.ServiceArea, in.PurposeCode
	p.ExpectedSpendDate, p.Status = in.ExpectedSpendDate, ProjectStatus(in.Status)
	p.DecisionDate, p.DecisionMaker, p.DecisionBy, p.DecisionReference = in.DecisionDate, DecisionMaker(in.DecisionMaker), in.DecisionBy, in.DecisionReference
}

// checkProjectInDB checks the rules that need the database: the purpose
// is on the list and no other project has the name (ignoring case).
func checkProjectInDB(ctx context.Context, q store.Querier, in ProjectInput, exceptID int64, errs *forms.Errors) error {
	if in.PurposeCode != "" {
		ok, err := projectPurposeExists(ctx, q, in.PurposeCode)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("purpose", "Select a purpose from the list")
		}
	}
	if in.Name != "" {
		holder, found, err := projectNameHolder(ctx, q, in.Name, exceptID)
		if err != nil {
			return err
		}
		if found {
			errs.Add("name", "There is already a project called "+holder+": choose a different name")
		}
	}
	return nil
}

// CreateProject adds a project.
func (s *Service) CreateProject(ctx context.Context, actor audit.Actor, in ProjectInput) (Project, error) {
	errs := in.Validate()
	var p Project
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkProjectInDB(ctx, tx, in, 0, errs); err != nil {
			return err
		}
		in.checkDecision(errs, s.Today(), "")
		if errs.Any() {
			return errs
		}
		in.apply(&p)
		id, err := insertProject(ctx, tx, p)
		if store.IsUniqueViolation(err, "projects_name_key") {
			return duplicateProjectName(in.Name)
		}
		if err != nil {
			return err
		}
		if p, err = projectByID(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "project.create", EntityProject, strconv.FormatInt(id, 10),
			"Added project "+p.Name, nil, p.auditView())
	})
	if err != nil {
		return Project{}, wrapProjectErr("create project", err)
	}
	return p, nil
}

// UpdateProject changes a project. version is the version the officer's
// form was based on; if someone else has saved the project since,
// store.ErrConflict is returned and nothing changes. A project still
// holding unspent money cannot be cancelled: de-allocate it first, so
// money is never stranded on a dead project.
func (s *Service) UpdateProject(ctx context.Context, actor audit.Actor, id int64, version int, in ProjectInput) (Project, error) {
	errs := in.Validate()
	var after Project
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := projectByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if err := checkProjectInDB(ctx, tx, in, id, errs); err != nil {
			return err
		}
		in.checkDecision(errs, s.Today(), before.DecisionMaker)
		if ProjectStatus(in.Status) == ProjectCancelled && before.Status != ProjectCancelled && before.Unspent().IsPositive() {
			errs.Add("status", "This project still has "+money.Format(before.Unspent())+" allocated and unspent: de-allocate it before cancelling the project")
		}
		if errs.Any() {
			return errs
		}
		after = before
		in.apply(&after)
		err = updateProject(ctx, tx, after, version)
		if store.IsUniqueViolation(err, "projects_name_key") {
			return duplicateProjectName(in.Name)
		}
		if err != nil {
			return err
		}
		if after, err = projectByID(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "project.update", EntityProject, strconv.FormatInt(id, 10),
			"Changed project "+after.Name, before.auditView(), after.auditView())
	})
	if err != nil {
		return Project{}, wrapProjectErr("update project", err)
	}
	return after, nil
}

func duplicateProjectName(name string) error {
	errs := &forms.Errors{}
	errs.Add("name", "There is already a project called "+name+": choose a different name")
	return errs
}

// wrapProjectErr adds context to an error but leaves validation errors,
// conflicts and missing records recognisable to handlers.
func wrapProjectErr(what string, err error) error {
	var verrs *forms.Errors
	if errors.As(err, &verrs) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// GetProject returns one project with its money totals.
func (s *Service) GetProject(ctx context.Context, id int64) (Project, error) {
	return projectByID(ctx, s.DB.Pool, id, false)
}

// ProjectSorts are the projects list's sort keys.
var ProjectSorts = []string{"name", "purpose", "service-area", "status", "expected", "allocated", "spent", "unspent", "updated"}

// ListProjects returns one page of projects matching the list page's
// search (name, description or service area) and filters (status,
// purpose — a national purpose also matches its local sub-purposes).
func (s *Service) ListProjects(ctx context.Context, p listing.Params) (listing.Page[Project], error) {
	items, total, err := listProjects(ctx, s.DB.Pool, p, true)
	if err != nil {
		return listing.Page[Project]{}, err
	}
	return listing.Page[Project]{Items: items, Total: total, Params: p}, nil
}

// ExportProjects returns every project matching the filters, in the
// list's order, without pagination (for CSV).
func (s *Service) ExportProjects(ctx context.Context, p listing.Params) ([]Project, error) {
	items, _, err := listProjects(ctx, s.DB.Pool, p, false)
	return items, err
}

// ProjectServiceAreas lists the service areas projects name, for filters
// and suggestions.
func (s *Service) ProjectServiceAreas(ctx context.Context) ([]string, error) {
	return projectServiceAreas(ctx, s.DB.Pool)
}

// --- Money: allocation, de-allocation and spend ---------------------------

// AllocatableObligation is an obligation with received money not yet
// allocated, as the allocation form offers it.
type AllocatableObligation struct {
	ID                 int64
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	PurposeCode        string
	PurposeName        string
	SpendingArea       string // where the agreement says the money may be spent
	SpendingWard       string
	Unallocated        decimal.Decimal
	EarliestDeadline   *time.Time // of the receipt shares with unallocated money; nil when none has a deadline
}

// AllocatableObligations lists the obligations with unallocated money,
// soonest spend-by deadline first (those without a deadline last).
func (s *Service) AllocatableObligations(ctx context.Context) ([]AllocatableObligation, error) {
	return allocatableObligations(ctx, s.DB.Pool)
}

// ProjectSource is one obligation whose money a project holds: where the
// money came from, what of it was spent, and how soon its oldest unspent
// money must be spent.
type ProjectSource struct {
	ObligationID       int64
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	PurposeCode        string
	PurposeName        string
	SpendingArea       string // where the agreement says the money may be spent
	SpendingWard       string
	Allocated          decimal.Decimal // to this project, net of de-allocations
	Spent              decimal.Decimal // by this project
	// The obligation's receipt share with unspent money and the soonest
	// deadline (the money a spend uses first), and its rating today.
	EarliestDeadline *time.Time
	ShareUnspent     decimal.Decimal
	ShareUnallocated decimal.Decimal
	Rating           RAG
}

// Unspent is what the project holds of the obligation's money.
func (s ProjectSource) Unspent() decimal.Decimal { return s.Allocated.Sub(s.Spent) }

// ProjectSources lists the obligations a project has had money from,
// soonest deadline first.
func (s *Service) ProjectSources(ctx context.Context, projectID int64) ([]ProjectSource, error) {
	sources, err := projectSources(ctx, s.DB.Pool, projectID)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	for i := range sources {
		src := &sources[i]
		src.Rating = RateShare(src.EarliestDeadline, today, src.ShareUnspent, src.ShareUnallocated)
	}
	return sources, nil
}

// ProjectMovement is an allocation or de-allocation on a project, with the
// obligation it moved money of.
type ProjectMovement struct {
	Entry
	AgreementReference string
	PurposeName        string
	ClauseRef          string
}

// ProjectMovements lists a project's allocations and de-allocations,
// oldest first, including reversed ones (marked by ReversedByID).
func (s *Service) ProjectMovements(ctx context.Context, projectID int64) ([]ProjectMovement, error) {
	return projectMovements(ctx, s.DB.Pool, projectID)
}

// SpendPart is the share of one spend drawn from one obligation.
type SpendPart struct {
	EntryID            int64
	ObligationID       int64
	AgreementReference string
	PurposeName        string
	ClauseRef          string
	Amount             decimal.Decimal
	Reversed           bool
}

// ProjectSpend is one spend recorded on a project: the officer's single
// action, drawn from one or more obligations.
type ProjectSpend struct {
	Date       time.Time
	Evidence   string
	Reference  string
	Transfer   Transfer // set when the money was transferred to another body to spend
	RecordedBy string
	RecordedAt time.Time
	Parts      []SpendPart
}

// Amount is what of the spend still stands (reversed parts excluded).
func (p ProjectSpend) Amount() decimal.Decimal {
	sum := decimal.Zero
	for _, part := range p.Parts {
		if !part.Reversed {
			sum = sum.Add(part.Amount)
		}
	}
	return sum
}

// Reversed reports whether every part of the spend has been reversed.
func (p ProjectSpend) Reversed() bool {
	for _, part := range p.Parts {
		if !part.Reversed {
			return false
		}
	}
	return len(p.Parts) > 0
}

// ProjectSpends lists a project's spends, newest first. The entries of
// one spend were written in one transaction, so they share their recorded
// time, date, evidence and reference.
func (s *Service) ProjectSpends(ctx context.Context, projectID int64) ([]ProjectSpend, error) {
	entries, err := projectSpendEntries(ctx, s.DB.Pool, projectID)
	if err != nil {
		return nil, err
	}
	var out []ProjectSpend
	for _, e := range entries {
		n := len(out)
		if n == 0 || !out[n-1].RecordedAt.Equal(e.RecordedAt) || !out[n-1].Date.Equal(e.Date) ||
			out[n-1].Evidence != e.Evidence || out[n-1].Reference != e.Reference {
			out = append(out, ProjectSpend{Date: e.Date, Evidence: e.Evidence, Reference: e.Reference, Transfer: e.Transfer, RecordedBy: e.RecordedBy, RecordedAt: e.RecordedAt})
			n++
		}
		out[n-1].Parts = append(out[n-1].Parts, e.SpendPart)
	}
	return out, nil
}

// dayMove is a signed change to a running balance on a day.
type dayMove struct {
	Date   time.Time
	Amount decimal.Decimal
}

// headroomFrom is the most that can be taken out on day from without the
// running balance falling below zero on that day or any later day — the
// database checks each invariant at every date of the ledger, so money
// taken on a past date must also leave room for everything recorded
// after it. It is never negative.
func headroomFrom(moves []dayMove, from time.Time) decimal.Decimal {
	sorted := append([]dayMove(nil), moves...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Date.Before(sorted[j].Date) })
	cum := decimal.Zero
	i := 0
	for ; i < len(sorted) && !sorted[i].Date.After(from); i++ {
		cum = cum.Add(sorted[i].Amount)
	}
	lowest := cum
	for i < len(sorted) {
		day := sorted[i].Date
		for ; i < len(sorted) && sorted[i].Date.Equal(day); i++ {
			cum = cum.Add(sorted[i].Amount)
		}
		if cum.LessThan(lowest) {
			lowest = cum
		}
	}
	if lowest.IsNegative() {
		return decimal.Zero
	}
	return lowest
}

// unallocatedMoves are the changes to an obligation's unallocated money:
// received less returned less allocated (net).
func unallocatedMoves(entries []standingEntry) []dayMove {
	var out []dayMove
	for _, e := range entries {
		switch e.Kind {
		case KindReceipt, KindDeallocation:
			out = append(out, dayMove{e.Date, e.Amount})
		case KindReturn, KindAllocation:
			out = append(out, dayMove{e.Date, e.Amount.Neg()})
		}
	}
	return out
}

// projectUnspentMoves are the changes to what a project holds of one
// obligation's money: allocated less de-allocated less spent.
func projectUnspentMoves(entries []standingEntry, projectID, obligationID int64) []dayMove {
	var out []dayMove
	for _, e := range entries {
		if e.ProjectID == nil || *e.ProjectID != projectID || e.ObligationID != obligationID {
			continue
		}
		switch e.Kind {
		case KindAllocation:
			out = append(out, dayMove{e.Date, e.Amount})
		case KindDeallocation, KindSpend:
			out = append(out, dayMove{e.Date, e.Amount.Neg()})
		}
	}
	return out
}

// checkMoneyEvent checks what every allocation, de-allocation and spend
// needs: an amount of money more than zero and a date not in the future.
func checkMoneyEvent(errs *forms.Errors, amount decimal.Decimal, date time.Time, today time.Time, dateLabel string) {
	switch {
	case !amount.IsPositive():
		errs.Add("amount", "Amount must be more than £0")
	case !amount.Equal(amount.Round(2)):
		errs.Add("amount", "Amount must not have more than 2 decimal places (pence)")
	case amount.GreaterThanOrEqual(decimal.New(1, 12)):
		errs.Add("amount", "Amount must be less than £1,000,000,000,000")
	}
	if date.IsZero() {
		errs.Add("date", "Enter "+strings.ToLower(dateLabel[:1])+dateLabel[1:])
	} else if date.After(today) {
		errs.Add("date", dateLabel+" must be today or in the past")
	}
}

// asAt words the date a limit applies to: nothing for today.
func asAt(date, today time.Time) string {
	if date.Equal(today) {
		return ""
	}
	return " on " + date.Format("2 January 2006")
}

// lockProject locks the project row so that money operations on one
// project run one after another; it returns the project.
func lockProject(ctx context.Context, tx pgx.Tx, projectID int64) (Project, error) {
	return projectByID(ctx, tx, projectID, true)
}

// AllocateToProject allocates received, unallocated money of an obligation
// to a project. The rules are checked here for a clear message and again
// by the database at commit, which has the final word (its refusal is
// reported on the amount).
//
// Money is spent on what the agreement says it is for: an obligation's
// money may go to a project of another purpose only with the officer's
// reason (override), audited and kept on the allocation.
func (s *Service) AllocateToProject(ctx context.Context, actor audit.Actor, projectID, obligationID int64, amount decimal.Decimal, date time.Time, note, override string) (Entry, error) {
	errs := &forms.Errors{}
	today := s.Today()
	note, override = strings.TrimSpace(note), strings.TrimSpace(override)
	if len([]rune(override)) > 2000 {
		errs.Add("override_reason", "Reason must be 2,000 characters or fewer")
	}
	if obligationID == 0 {
		errs.Add("obligation", "Select the obligation whose money to allocate")
	}
	checkMoneyEvent(errs, amount, date, today, "Date allocated")
	if len([]rune(note)) > 2000 {
		errs.Add("note", "Note must be 2,000 characters or fewer")
	}
	var entry Entry
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		project, err := lockProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if project.Status == ProjectCancelled {
			errs.Add("obligation", "This project is cancelled: money cannot be allocated to it")
		}
		if obligationID == 0 {
			return errs
		}
		ob, err := obligationForMoney(ctx, tx, obligationID)
		if errors.Is(err, store.ErrNotFound) {
			errs.Add("obligation", "Select an obligation from the list")
			return errs
		} else if err != nil {
			return err
		}
		if !ob.Monetary {
			errs.Add("obligation", "Only money can be allocated: choose a financial contribution or monitoring fee")
		}
		match, err := purposesMatch(ctx, tx, ob.PurposeCode, project.PurposeCode)
		if err != nil {
			return err
		}
		if !match && override == "" {
			errs.Add("override_reason", "This obligation's money is for "+strings.ToLower(ob.PurposeName)+", not "+
				strings.ToLower(project.PurposeName)+": enter why the agreement allows it to be spent on this project, or choose another obligation")
		}
		if match {
			override = "" // nothing to override
		}
		if errs.Any() {
			return errs
		}
		entries, err := standingEntriesOf(ctx, tx, `obligation_id = $1`, obligationID)
		if err != nil {
			return err
		}
		available := headroomFrom(unallocatedMoves(entries), date)
		if amount.GreaterThan(available) {
			if available.IsZero() {
				errs.Add("amount", "None of this obligation's money is unallocated"+asAt(date, today)+". Record a payment or de-allocate money from another project first")
			} else {
				errs.Add("amount", "Only "+money.Format(available)+" of this obligation's money is unallocated"+asAt(date, today))
			}
			return errs
		}
		pid := projectID
		entry = Entry{ObligationID: obligationID, Kind: KindAllocation, Date: date, Amount: amount, ProjectID: &pid, Note: note, OverrideReason: override}
		if entry.ID, err = insertEntry(ctx, tx, entry, actor.UserID); err != nil {
			return err
		}
		summary := "Allocated " + money.Format(amount) + " of " + ob.label() + " to project " + project.Name + " on " + date.Format("2 January 2006")
		if override != "" {
			summary += ", outside its purpose (" + override + ")"
		}
		view := map[string]any{"amount": amount.StringFixed(2), "date": date.Format("2006-01-02"), "project": project.Name, "obligation": ob.label(), "note": note,
			"purpose override": override}
		return auditProjectMove(ctx, tx, actor, "project.allocate", "ledger.allocation", projectID, obligationID, summary, view)
	})
	if err != nil {
		return Entry{}, wrapProjectErr("allocate to project", InvariantError(err, "amount"))
	}
	return entry, nil
}

// auditProjectMove records a movement of money in both histories it
// belongs to: the project's and the obligation's.
func auditProjectMove(ctx context.Context, q store.Querier, actor audit.Actor, projectAction, ledgerAction string, projectID, obligationID int64, summary string, view map[string]any) error {
	if err := audit.Record(ctx, q, actor, projectAction, EntityProject, strconv.FormatInt(projectID, 10), summary, nil, view); err != nil {
		return err
	}
	return audit.Record(ctx, q, actor, ledgerAction, "obligation", strconv.FormatInt(obligationID, 10), summary, nil, view)
}

// Deallocate takes money of an obligation back from a project, up to what
// is allocated to it and not spent; the reason is required.
func (s *Service) Deallocate(ctx context.Context, actor audit.Actor, projectID, obligationID int64, amount decimal.Decimal, date time.Time, reason string) (Entry, error) {
	errs := &forms.Errors{}
	today := s.Today()
	reason = strings.TrimSpace(reason)
	if obligationID == 0 {
		errs.Add("obligation", "Select the obligation whose money to de-allocate")
	}
	checkMoneyEvent(errs, amount, date, today, "Date de-allocated")
	switch {
	case reason == "":
		errs.Add("reason", "Enter why the money is being de-allocated")
	case len([]rune(reason)) > 2000:
		errs.Add("reason", "Reason must be 2,000 characters or fewer")
	}
	var entry Entry
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		project, err := lockProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if obligationID == 0 {
			return errs
		}
		ob, err := obligationForMoney(ctx, tx, obligationID)
		if errors.Is(err, store.ErrNotFound) {
			errs.Add("obligation", "Select an obligation from the list")
			return errs
		} else if err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		entries, err := standingEntriesOf(ctx, tx, `obligation_id = $1 AND project_id = $2`, obligationID, projectID)
		if err != nil {
			return err
		}
		available := headroomFrom(projectUnspentMoves(entries, projectID, obligationID), date)
		if amount.GreaterThan(available) {
			if available.IsZero() {
				errs.Add("amount", "None of this obligation's money allocated to the project is unspent"+asAt(date, today))
			} else {
				errs.Add("amount", "Only "+money.Format(available)+" of this obligation's money allocated to the project is unspent"+asAt(date, today))
			}
			return errs
		}
		pid := projectID
		entry = Entry{ObligationID: obligationID, Kind: KindDeallocation, Date: date, Amount: amount, ProjectID: &pid, Note: reason}
		if entry.ID, err = insertEntry(ctx, tx, entry, actor.UserID); err != nil {
			return err
		}
		summary := "De-allocated " + money.Format(amount) + " of " + ob.label() + " from project " + project.Name + " on " + date.Format("2 January 2006")
		view := map[string]any{"amount": amount.StringFixed(2), "date": date.Format("2006-01-02"), "project": project.Name, "obligation": ob.label(), "reason": reason}
		return auditProjectMove(ctx, tx, actor, "project.deallocate", "ledger.deallocation", projectID, obligationID, summary, view)
	})
	if err != nil {
		return Entry{}, wrapProjectErr("de-allocate from project", InvariantError(err, "amount"))
	}
	return entry, nil
}

// spendSource is an obligation a spend can draw from, with what the
// project holds of it on the spend's date and how soon it must be spent.
type spendSource struct {
	obligation obligationMoney
	available  decimal.Decimal
	deadline   *time.Time
}

// orderSpendSources puts the money that must be spent soonest first, so
// money at risk of clawback is used before money that can wait; money
// with no deadline goes last.
func orderSpendSources(sources []spendSource) {
	sort.SliceStable(sources, func(i, j int) bool {
		a, b := sources[i].deadline, sources[j].deadline
		switch {
		case a != nil && b != nil && !a.Equal(*b):
			return a.Before(*b)
		case a != nil && b == nil:
			return true
		case a == nil && b != nil:
			return false
		}
		return sources[i].obligation.ID < sources[j].obligation.ID
	})
}

// SpendOnProject records one spend on a project. It draws on the project's
// allocations, taking first the money whose spend-by deadline is soonest
// and splitting into one spend entry per obligation as needed, all in one
// transaction, audited on the project and on each obligation drawn from.
// evidence (an invoice or certificate reference) is required.
func (s *Service) SpendOnProject(ctx context.Context, actor audit.Actor, projectID int64, amount decimal.Decimal, date time.Time, evidence, reference string) ([]Entry, error) {
	return s.spendOnProject(ctx, actor, projectID, amount, date, evidence, reference, Transfer{})
}

// Transfer names the body money was transferred to, to spend, and its
// reference for the transfer.
type Transfer struct {
	To        string
	Reference string
}

// TransferFromProject records money of a project transferred to another
// body to spend (a health trust, a parish council, the county council). It
// is a spend (CIL Regulations Schedule 2 para 3(f): "spent by the
// authority (including transferring it to another person to spend)"),
// drawn on the project's allocations as a spend is, that names the
// recipient and its reference.
func (s *Service) TransferFromProject(ctx context.Context, actor audit.Actor, projectID int64, amount decimal.Decimal, date time.Time, evidence, reference string, to Transfer) ([]Entry, error) {
	to.To, to.Reference = strings.TrimSpace(to.To), strings.TrimSpace(to.Reference)
	if to.To == "" {
		errs := &forms.Errors{}
		errs.Add("transfer_to", "Enter who the money was transferred to")
		return nil, errs
	}
	return s.spendOnProject(ctx, actor, projectID, amount, date, evidence, reference, to)
}

func (s *Service) spendOnProject(ctx context.Context, actor audit.Actor, projectID int64, amount decimal.Decimal, date time.Time, evidence, reference string, to Transfer) ([]Entry, error) {
	errs := &forms.Errors{}
	today := s.Today()
	evidence, reference = strings.TrimSpace(evidence), strings.TrimSpace(reference)
	switch {
	case len([]rune(to.To)) > 200:
		errs.Add("transfer_to", "Recipient must be 200 characters or fewer")
	case len([]rune(to.Reference)) > 100:
		errs.Add("transfer_reference", "Recipient's reference must be 100 characters or fewer")
	case to.To == "" && to.Reference != "":
		errs.Add("transfer_to", "Enter who the money was transferred to")
	}
	checkMoneyEvent(errs, amount, date, today, "Date spent")
	switch {
	case evidence == "":
		errs.Add("evidence", "Enter the evidence of the spend, such as an invoice or certificate reference")
	case len([]rune(evidence)) > 500:
		errs.Add("evidence", "Evidence must be 500 characters or fewer")
	}
	if len([]rune(reference)) > 100 {
		errs.Add("reference", "Reference must be 100 characters or fewer")
	}
	var out []Entry
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		out = out[:0] // run again after a lost race
		project, err := lockProject(ctx, tx, projectID)
		if err != nil {
			return err
		}
		switch {
		case project.Status == ProjectCancelled:
			errs.Add("amount", "This project is cancelled: money cannot be spent on it")
		case !project.Decided():
			// Money is spent only once the authority has decided to spend
			// it: until then what is set against the project is earmarked.
			errs.Add("amount", "Record the council's spending decision on this project before recording spend: until then its money is earmarked, not allocated")
		case !date.IsZero() && date.Before(*project.DecisionDate):
			errs.Add("date", "Date spent must be on or after the spending decision of "+project.DecisionDate.Format("2 January 2006"))
		}
		if errs.Any() {
			return errs
		}
		// Lock every obligation the project holds money of, in id order
		// (so concurrent spends cannot deadlock), then read the entries
		// afresh: under READ COMMITTED each statement sees what committed
		// before the locks were granted.
		ids, err := projectObligationIDs(ctx, tx, projectID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := lockObligation(ctx, tx, id); err != nil {
				return err
			}
		}
		entries, err := standingEntriesOf(ctx, tx, `project_id = $1`, projectID)
		if err != nil {
			return err
		}
		deadlines, err := earliestUnspentDeadlines(ctx, tx, ids)
		if err != nil {
			return err
		}
		var sources []spendSource
		total := decimal.Zero
		for _, id := range ids {
			available := headroomFrom(projectUnspentMoves(entries, projectID, id), date)
			if !available.IsPositive() {
				continue
			}
			ob, err := obligationForMoney(ctx, tx, id)
			if err != nil {
				return err
			}
			sources = append(sources, spendSource{obligation: ob, available: available, deadline: deadlines[id]})
			total = total.Add(available)
		}
		if amount.GreaterThan(total) {
			if total.IsZero() {
				errs.Add("amount", "No money allocated to this project is unspent"+asAt(date, today)+". Allocate money to it first")
			} else {
				errs.Add("amount", "Only "+money.Format(total)+" allocated to this project is unspent"+asAt(date, today)+": the spend cannot be more than that")
			}
			return errs
		}
		orderSpendSources(sources)
		pid := projectID
		remaining := amount
		var drawn []string
		for _, src := range sources {
			if !remaining.IsPositive() {
				break
			}
			take := decimal.Min(remaining, src.available)
			remaining = remaining.Sub(take)
			e := Entry{ObligationID: src.obligation.ID, Kind: KindSpend, Date: date, Amount: take, ProjectID: &pid, Evidence: evidence, Reference: reference,
				TransferTo: to.To, TransferReference: to.Reference}
			if e.ID, err = insertEntry(ctx, tx, e, actor.UserID); err != nil {
				return err
			}
			out = append(out, e)
			drawn = append(drawn, money.Format(take)+" from "+src.obligation.label())
			verb := "Spent "
			if to.To != "" {
				verb = "Transferred to " + to.To + " "
			}
			summary := verb + money.Format(take) + " of project " + project.Name + " on " + date.Format("2 January 2006") + " (evidence: " + evidence + ")"
			if err := audit.Record(ctx, tx, actor, "ledger.spend", "obligation", strconv.FormatInt(src.obligation.ID, 10), summary, nil,
				map[string]any{"amount": take.StringFixed(2), "date": date.Format("2006-01-02"), "project": project.Name, "evidence": evidence, "reference": reference,
					"transferred to": to.To, "recipient's reference": to.Reference}); err != nil {
				return err
			}
		}
		verb := "Spent "
		if to.To != "" {
			verb = "Transferred to " + to.To + " "
		}
		return audit.Record(ctx, tx, actor, "project.spend", EntityProject, strconv.FormatInt(projectID, 10),
			verb+money.Format(amount)+" on "+date.Format("2 January 2006")+" (evidence: "+evidence+"), drawn as "+strings.Join(drawn, "; "), nil,
			map[string]any{"amount": amount.StringFixed(2), "date": date.Format("2006-01-02"), "evidence": evidence, "reference": reference, "drawn from": strings.Join(drawn, "; "),
				"transferred to": to.To, "recipient's reference": to.Reference})
	})
	if err != nil {
		return nil, wrapProjectErr("spend on project", InvariantError(err, "amount"))
	}
	return out, nil
}

// obligationMoney is what money operations need to know of an obligation.
type obligationMoney struct {
	ID                 int64
	AgreementReference string
	ClauseRef          string
	PurposeCode        string
	PurposeName        string
	Monetary           bool
}

// label names the obligation in messages and the audit trail.
func (o obligationMoney) label() string {
	s := o.AgreementReference + " " + o.PurposeName
	if o.ClauseRef != "" {
		s += " (clause " + o.ClauseRef + ")"
	}
	return s
}
