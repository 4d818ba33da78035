package homes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// EntityHome is the audit entity type for homes.
const EntityHome = "home"

// UPRNMessage is what an officer is told about a malformed UPRN.
const UPRNMessage = "UPRN must be 1 to 12 digits, like 100023336956"

// CheckUPRN tidies a typed UPRN (spaces removed) and returns it with the
// message to show when it is not 1 to 12 digits. An empty UPRN is allowed:
// homes get theirs when built.
func CheckUPRN(s string) (string, string) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return "", ""
	}
	if len(s) > 12 {
		return s, UPRNMessage
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return s, UPRNMessage
		}
	}
	return s, ""
}

// uprnNumber is the UPRN as the number it stands for: 00123 is 123.
func uprnNumber(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// NormalisePostcode upper-cases a postcode and puts one space before its
// inward part (the last three characters) when it has none.
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) >= 5 && len(s) <= 8 {
		return s[:len(s)-3] + " " + s[len(s)-3:]
	}
	return s
}

// HomeInput is what an officer records about a home.
type HomeInput struct {
	Plot           string
	Tenure         string // as secured
	Bedrooms       *int   // parsed by the form layer
	HabitableRooms *int
	FloorAreaM2    *decimal.Decimal
	Wheelchair     string
	FloorBlock     string
	ObligationID   *int64
	ProviderID     *int64
	Address        string
	Postcode       string
	UPRN           string
}

// HomeFields lists the home form's fields in page order; a schedule of
// accommodation uses the same names for its columns.
var HomeFields = []string{"plot", "tenure", "bedrooms", "habitable_rooms", "floor_area_m2", "wheelchair", "floor_block",
	"obligation", "provider", "address", "postcode", "uprn"}

var maxFloorArea = decimal.RequireFromString("99999.99")

// Validate checks the home's rules that need no database and tidies what
// was typed.
func (in *HomeInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	in.Plot = strings.Join(strings.Fields(in.Plot), " ")
	in.Tenure = strings.TrimSpace(in.Tenure)
	in.Wheelchair = strings.TrimSpace(in.Wheelchair)
	in.FloorBlock = strings.Join(strings.Fields(in.FloorBlock), " ")
	in.Address = strings.Join(strings.Fields(in.Address), " ")
	in.Postcode = NormalisePostcode(in.Postcode)
	switch {
	case in.Plot == "":
		errs.Add("plot", "Enter the plot or unit number")
	case len([]rune(in.Plot)) > 50:
		errs.Add("plot", "Plot or unit number must be 50 characters or fewer")
	}
	tenure, ok := ParseTenure(in.Tenure)
	switch {
	case in.Tenure == "":
		errs.Add("tenure", "Select the tenure the home was secured as")
	case !ok:
		errs.Add("tenure", "Select a tenure from the list")
	}
	switch {
	case in.Bedrooms == nil:
		errs.Add("bedrooms", "Enter the number of bedrooms (0 for a studio)")
	case *in.Bedrooms < 0 || *in.Bedrooms > 10:
		errs.Add("bedrooms", "Bedrooms must be between 0 and 10")
	}
	if in.HabitableRooms != nil && (*in.HabitableRooms < 1 || *in.HabitableRooms > 20) {
		errs.Add("habitable_rooms", "Habitable rooms must be between 1 and 20")
	}
	if in.FloorAreaM2 != nil && (!in.FloorAreaM2.IsPositive() || in.FloorAreaM2.GreaterThan(maxFloorArea)) {
		errs.Add("floor_area_m2", "Floor area must be more than 0 and at most 99,999.99 m²")
	}
	switch Wheelchair(in.Wheelchair) {
	case "":
		in.Wheelchair = string(WheelchairNone)
	case WheelchairNone, M42, M43:
	default:
		errs.Add("wheelchair", "Select a wheelchair standard from the list")
	}
	if len([]rune(in.FloorBlock)) > 100 {
		errs.Add("floor_block", "Floor or block must be 100 characters or fewer")
	}
	if ok && tenure == Market && in.ObligationID != nil {
		errs.Add("obligation", "A market home delivers no affordable-housing obligation: choose an affordable tenure or no obligation")
	}
	if len([]rune(in.Address)) > 300 {
		errs.Add("address", "Address must be 300 characters or fewer")
	}
	if len(in.Postcode) > 10 {
		errs.Add("postcode", "Enter a real postcode, like WV1 1AA")
	}
	var msg string
	if in.UPRN, msg = CheckUPRN(in.UPRN); msg != "" {
		errs.Add("uprn", msg)
	}
	return errs
}

// dbHome is the home as stored, built from the input.
func (in HomeInput) apply(h *Home) {
	h.Plot, h.Tenure, h.Wheelchair, h.FloorBlock = in.Plot, Tenure(in.Tenure), Wheelchair(in.Wheelchair), in.FloorBlock
	if in.Bedrooms != nil {
		h.Bedrooms = *in.Bedrooms
	}
	h.HabitableRooms, h.FloorAreaM2, h.ObligationID, h.ProviderID = in.HabitableRooms, in.FloorAreaM2, in.ObligationID, in.ProviderID
	h.Address, h.Postcode, h.UPRN = in.Address, in.Postcode, in.UPRN
}

// homeAuditView is what the audit trail keeps of a home.
func homeAuditView(h Home, providerName string) map[string]any {
	obligation := ""
	if h.ObligationID != nil {
		obligation = strconv.FormatInt(*h.ObligationID, 10)
	}
	rooms, area := "", ""
	if h.HabitableRooms != nil {
		rooms = strconv.Itoa(*h.HabitableRooms)
	}
	if h.FloorAreaM2 != nil {
		area = h.FloorAreaM2.String()
	}
	return map[string]any{
		"plot":                h.Plot,
		"tenure secured":      h.Tenure.Label(),
		"bedrooms":            strconv.Itoa(h.Bedrooms),
		"habitable rooms":     rooms,
		"floor area m²":       area,
		"wheelchair standard": h.Wheelchair.Label(),
		"floor or block":      h.FloorBlock,
		"obligation":          obligation,
		"registered provider": providerName,
		"address":             h.Address,
		"postcode":            h.Postcode,
		"UPRN":                h.UPRN,
	}
}

// uprnTaken is the message naming the home that already has a UPRN.
func uprnTaken(uprn, plot, development string) string {
	return "UPRN " + uprn + " is already used by plot " + plot + ", " + development
}

// checkHomeInDB checks the rules that need the database: plot unique in
// the development, UPRN unique across every home (as a number), the
// obligation an affordable-housing one of this development, the provider
// on the list.
func checkHomeInDB(ctx context.Context, q store.Querier, developmentID int64, in HomeInput, exceptID int64, errs *forms.Errors) error {
	if in.Plot != "" {
		taken, err := plotTaken(ctx, q, developmentID, in.Plot, exceptID)
		if err != nil {
			return err
		}
		if taken != "" {
			errs.Add("plot", "There is already a plot "+taken+" in this development: each plot must be unique")
		}
	}
	if in.UPRN != "" && errs.Get("uprn") == "" {
		plot, dev, found, err := uprnHolder(ctx, q, in.UPRN, exceptID)
		if err != nil {
			return err
		}
		if found {
			errs.Add("uprn", uprnTaken(in.UPRN, plot, dev))
		}
	}
	if in.ObligationID != nil {
		ok, err := obligationOfDevelopment(ctx, q, *in.ObligationID, developmentID)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("obligation", "Select an affordable-housing obligation of this development")
		}
	}
	if in.ProviderID != nil {
		if _, err := providerByID(ctx, q, *in.ProviderID); errors.Is(err, store.ErrNotFound) {
			errs.Add("provider", "Select a registered provider from the list")
		} else if err != nil {
			return err
		}
	}
	return nil
}

// homeConstraintError turns a constraint the database enforced (a race
// the checks above could not see) into the form message.
func homeConstraintError(err error, in HomeInput) error {
	errs := &forms.Errors{}
	switch {
	case store.IsUniqueViolation(err, "homes_uprn_key"):
		errs.Add("uprn", "UPRN "+in.UPRN+" is already used by another home")
	case store.IsUniqueViolation(err, "homes_plot_key"):
		errs.Add("plot", "There is already a plot "+in.Plot+" in this development: each plot must be unique")
	case store.IsCheckViolation(err, "home_obligation_of_development"):
		errs.Add("obligation", "Select an affordable-housing obligation of this development")
	case store.IsCheckViolation(err, "home_completed_needs_uprn"):
		errs.Add("uprn", "A completed home must keep its UPRN")
	default:
		return err
	}
	return errs
}

// providerName names a provider for the audit trail ("" for none).
func providerName(ctx context.Context, q store.Querier, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	p, err := providerByID(ctx, q, *id)
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// createHome inserts one checked home and its audit event.
func createHome(ctx context.Context, tx pgx.Tx, actor audit.Actor, developmentID int64, in HomeInput, action, summary string) (Home, error) {
	var h Home
	h.DevelopmentID = developmentID
	in.apply(&h)
	id, err := insertHome(ctx, tx, h)
	if err != nil {
		return Home{}, homeConstraintError(err, in)
	}
	pname, err := providerName(ctx, tx, in.ProviderID)
	if err != nil {
		return Home{}, err
	}
	h.ID = id
	if summary == "" {
		summary = "Added plot " + h.Plot
	}
	return h, audit.Record(ctx, tx, actor, action, EntityHome, strconv.FormatInt(id, 10), summary, nil, homeAuditView(h, pname))
}

// newHome is one checked home of a bulk change, with its audit summary.
type newHome struct {
	In      HomeInput
	Summary string
}

// createHomes inserts checked homes and their audit events as createHome
// does, in two statements whatever their number: an import of 10,000
// homes is two round trips, not 30,000. A constraint the checks could not
// foresee (a UPRN another officer took meanwhile) fails the whole
// statement without naming its row, so the homes are then inserted one by
// one, pipelined, to find it: createHomes returns that home's index with
// the form error.
func createHomes(ctx context.Context, tx pgx.Tx, actor audit.Actor, developmentID int64, homes []newHome, action string) (int, error) {
	hs := make([]Home, len(homes))
	for i, nh := range homes {
		hs[i].DevelopmentID = developmentID
		nh.In.apply(&hs[i])
	}
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { return insertHomesAtOnce(ctx, sp, hs) })
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code[:2] == "23" { // integrity constraint violation
		i, err := insertHomesOneByOne(ctx, tx, hs, homes)
		if err != nil {
			return i, err
		}
	} else if err != nil {
		return -1, err
	}
	names := map[int64]string{}
	entries := make([]audit.Entry, len(hs))
	for i, h := range hs {
		pname := ""
		if id := homes[i].In.ProviderID; id != nil {
			if _, ok := names[*id]; !ok {
				n, err := providerName(ctx, tx, id)
				if err != nil {
					return -1, err
				}
				names[*id] = n
			}
			pname = names[*id]
		}
		summary := homes[i].Summary
		if summary == "" {
			summary = "Added plot " + h.Plot
		}
		entries[i] = audit.Entry{EntityID: strconv.FormatInt(h.ID, 10), Summary: summary, After: homeAuditView(h, pname)}
	}
	return -1, audit.RecordAll(ctx, tx, actor, action, EntityHome, entries)
}

// insertHomesAtOnce inserts the homes in one statement and sets their ids.
func insertHomesAtOnce(ctx context.Context, q store.Querier, hs []Home) error {
	n := len(hs)
	obligation, provider := make([]*int64, n), make([]*int64, n)
	plot, tenure, wheelchair, block, address, postcode := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	bedrooms := make([]int32, n)
	rooms := make([]*int32, n)
	area, uprn := make([]*string, n), make([]*string, n)
	for i, h := range hs {
		obligation[i], provider[i] = h.ObligationID, h.ProviderID
		plot[i], tenure[i], wheelchair[i], block[i], address[i], postcode[i] = h.Plot, string(h.Tenure), string(h.Wheelchair), h.FloorBlock, h.Address, h.Postcode
		bedrooms[i] = int32(h.Bedrooms)
		if h.HabitableRooms != nil {
			r := int32(*h.HabitableRooms)
			rooms[i] = &r
		}
		if h.FloorAreaM2 != nil {
			a := h.FloorAreaM2.String()
			area[i] = &a
		}
		uprn[i] = nullIfEmpty(h.UPRN)
	}
	rows, err := q.Query(ctx, `
		INSERT INTO homes (development_id, obligation_id, plot, tenure, bedrooms, habitable_rooms, floor_area_m2, wheelchair,
			floor_block, registered_provider_id, address, postcode, uprn)
		SELECT $1, u.obligation, u.plot, u.tenure, u.bedrooms, u.rooms, u.area::numeric, u.wheelchair, u.block, u.provider, u.address, u.postcode, u.uprn
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[])
			WITH ORDINALITY AS u (obligation, plot, tenure, bedrooms, rooms, area, wheelchair, block, provider, address, postcode, uprn, n)
		ORDER BY u.n
		RETURNING id, lower(plot)`,
		hs[0].DevelopmentID, obligation, plot, tenure, bedrooms, rooms, area, wheelchair, block, provider, address, postcode, uprn)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	var id int64
	var lowerPlot string
	if _, err := pgx.ForEachRow(rows, []any{&id, &lowerPlot}, func() error {
		ids[lowerPlot] = id
		return nil
	}); err != nil {
		return err
	}
	// Plots are unique in a development, ignoring case: the returned rows
	// are matched to the homes by plot, whatever order they come in.
	for i := range hs {
		var ok bool
		if hs[i].ID, ok = ids[strings.ToLower(hs[i].Plot)]; !ok {
			return fmt.Errorf("insert homes: plot %s was not returned", hs[i].Plot)
		}
	}
	return nil
}

// insertHomesOneByOne inserts the homes pipelined, one statement each, to
// name the one a constraint refuses.
func insertHomesOneByOne(ctx context.Context, tx pgx.Tx, hs []Home, homes []newHome) (int, error) {
	b := &pgx.Batch{}
	for _, h := range hs {
		b.Queue(insertHomeSQL, insertHomeArgs(h)...)
	}
	res := tx.SendBatch(ctx, b)
	for i := range hs {
		if err := res.QueryRow().Scan(&hs[i].ID); err != nil {
			res.Close()
			return i, homeConstraintError(err, homes[i].In)
		}
	}
	return -1, res.Close()
}

// CreateHome adds a home to a development.
func (s *Service) CreateHome(ctx context.Context, actor audit.Actor, developmentID int64, in HomeInput) (Home, error) {
	errs := in.Validate()
	var h Home
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		if err := checkHomeInDB(ctx, tx, developmentID, in, 0, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		created, err := createHome(ctx, tx, actor, developmentID, in, "home.create", "")
		if err != nil {
			return err
		}
		h, err = homeByID(ctx, tx, created.ID)
		return err
	})
	if err != nil {
		return Home{}, wrapErr("create home", err)
	}
	return h, nil
}

// UpdateHome changes a home; version is the version the form was based on
// (store.ErrConflict if someone saved since). A completed home keeps its
// UPRN.
func (s *Service) UpdateHome(ctx context.Context, actor audit.Actor, id int64, version int, in HomeInput) (Home, error) {
	var after Home
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		after, err = updateHomeTx(ctx, tx, actor, id, version, in)
		return err
	})
	if err != nil {
		return Home{}, wrapErr("update home", err)
	}
	return after, nil
}

// updateHomeTx is UpdateHome in the caller's transaction.
func updateHomeTx(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, version int, in HomeInput) (Home, error) {
	errs := in.Validate()
	before, err := homeByID(ctx, tx, id)
	if err != nil {
		return Home{}, err
	}
	if err := lockDevelopment(ctx, tx, before.DevelopmentID); err != nil {
		return Home{}, err
	}
	if before.Version != version {
		return Home{}, store.ErrConflict
	}
	if err := checkHomeInDB(ctx, tx, before.DevelopmentID, in, id, errs); err != nil {
		return Home{}, err
	}
	if in.UPRN == "" && before.UPRN != "" && errs.Get("uprn") == "" {
		completed, err := hasStandingCompletion(ctx, tx, id)
		if err != nil {
			return Home{}, err
		}
		if completed {
			errs.Add("uprn", "A completed home must keep its UPRN")
		}
	}
	if errs.Any() {
		return Home{}, errs
	}
	after := before
	in.apply(&after)
	if err := updateHome(ctx, tx, after, version); err != nil {
		return Home{}, homeConstraintError(err, in)
	}
	beforeProvider, err := providerName(ctx, tx, before.ProviderID)
	if err != nil {
		return Home{}, err
	}
	afterProvider, err := providerName(ctx, tx, after.ProviderID)
	if err != nil {
		return Home{}, err
	}
	if err := audit.Record(ctx, tx, actor, "home.update", EntityHome, strconv.FormatInt(id, 10),
		"Changed plot "+after.Plot, homeAuditView(before, beforeProvider), homeAuditView(after, afterProvider)); err != nil {
		return Home{}, err
	}
	return homeByID(ctx, tx, id)
}

// inputOf is a home's current values as an input, to change some of them.
func inputOf(h Home) HomeInput {
	bedrooms := h.Bedrooms
	return HomeInput{Plot: h.Plot, Tenure: string(h.Tenure), Bedrooms: &bedrooms, HabitableRooms: h.HabitableRooms, FloorAreaM2: h.FloorAreaM2,
		Wheelchair: string(h.Wheelchair), FloorBlock: h.FloorBlock, ObligationID: h.ObligationID, ProviderID: h.ProviderID,
		Address: h.Address, Postcode: h.Postcode, UPRN: h.UPRN}
}

// GetHome returns one home with its derived state.
func (s *Service) GetHome(ctx context.Context, id int64) (Home, error) {
	return homeByID(ctx, s.DB.Pool, id)
}

// DevelopmentHomes lists a development's homes in plot order.
func (s *Service) DevelopmentHomes(ctx context.Context, developmentID int64) ([]Home, error) {
	w := &listing.Where{}
	w.Add("h.development_id = ?", developmentID)
	w.Add("h.archived_at IS NULL")
	homes, _, err := queryHomes(ctx, s.DB.Pool, w, plotOrder("")+", h.id", 0, 0)
	return homes, err
}

// ObligationChoice is an affordable-housing obligation a home can deliver.
type ObligationChoice struct {
	ID                 int64
	AgreementReference string
	ClauseRef          string
	Description        string
}

// Label names the obligation in a select.
func (o ObligationChoice) Label() string {
	s := o.AgreementReference
	if o.ClauseRef != "" {
		s += ", clause " + o.ClauseRef
	}
	d := []rune(o.Description)
	if len(d) > 80 {
		d = append(d[:77], '…')
	}
	return s + " — " + string(d)
}

// DevelopmentObligations lists the affordable-housing obligations of a
// development's agreements, for the home form's select.
func (s *Service) DevelopmentObligations(ctx context.Context, developmentID int64) ([]ObligationChoice, error) {
	return developmentObligations(ctx, s.DB.Pool, developmentID)
}

// HomeSorts are the homes list's sort keys.
var HomeSorts = []string{"development", "plot", "uprn", "postcode", "tenure", "bedrooms", "state", "provider", "updated"}

// ListHomes returns one page of homes matching the search (UPRN, address,
// postcode, plot or development) and filters (development, provider,
// current tenure, state).
func (s *Service) ListHomes(ctx context.Context, p listing.Params) (listing.Page[Home], error) {
	return listHomes(ctx, s.DB.Pool, p)
}

// ExportHomes returns every home matching the filters, in the list's
// order, without pagination (for CSV).
func (s *Service) ExportHomes(ctx context.Context, p listing.Params) ([]Home, error) {
	return exportHomes(ctx, s.DB.Pool, p)
}

// DevelopmentChoice is a development that has homes, for filters.
type DevelopmentChoice struct {
	ID   int64
	Name string
}

// DevelopmentsWithHomes lists the developments that have homes.
func (s *Service) DevelopmentsWithHomes(ctx context.Context) ([]DevelopmentChoice, error) {
	return developmentsWithHomes(ctx, s.DB.Pool)
}

// --- Generating homes ----------------------------------------------------

// GenerateInput makes Count homes alike but for their plot numbers:
// Prefix followed by Start, Start+1, ….
type GenerateInput struct {
	Count  *int
	Prefix string
	Start  *int
	Home   HomeInput // Plot and UPRN are ignored
}

// GenerateFields lists the generate form's fields in page order.
var GenerateFields = []string{"count", "prefix", "start", "tenure", "bedrooms", "habitable_rooms", "floor_area_m2", "wheelchair",
	"floor_block", "obligation", "provider"}

// MaxGenerate is the most homes one generation makes.
const MaxGenerate = 500

// Plots are the plot numbers the input generates.
func (in GenerateInput) Plots() []string {
	if in.Count == nil || in.Start == nil || *in.Count < 1 || *in.Count > MaxGenerate {
		return nil
	}
	out := make([]string, *in.Count)
	for i := range out {
		out[i] = in.Prefix + strconv.Itoa(*in.Start+i)
	}
	return out
}

// Validate checks the generation's rules that need no database.
func (in *GenerateInput) Validate() *forms.Errors {
	errs := &forms.Errors{}
	in.Prefix = strings.TrimLeftFunc(in.Prefix, unicode.IsSpace)
	switch {
	case in.Count == nil:
		errs.Add("count", "Enter how many homes to add")
	case *in.Count < 1 || *in.Count > MaxGenerate:
		errs.Add("count", fmt.Sprintf("Number of homes must be between 1 and %d", MaxGenerate))
	}
	if len([]rune(in.Prefix)) > 20 {
		errs.Add("prefix", "Plot prefix must be 20 characters or fewer")
	}
	switch {
	case in.Start == nil:
		errs.Add("start", "Enter the first plot number")
	case *in.Start < 0 || *in.Start > 999999:
		errs.Add("start", "First plot number must be between 0 and 999,999")
	}
	in.Home.UPRN, in.Home.Address, in.Home.Postcode = "", "", ""
	in.Home.Plot = in.Prefix + "1"
	if plots := in.Plots(); len(plots) > 0 {
		in.Home.Plot = plots[len(plots)-1] // the longest, for the length rule
	}
	home := in.Home.Validate()
	for _, f := range home.Fields() {
		if f == "plot" {
			errs.Add("prefix", "Plot prefix is too long: plot numbers must be 50 characters or fewer")
			continue
		}
		errs.Add(f, home.Get(f))
	}
	return errs
}

// GenerateHomes adds Count homes of one type to a development, all or
// nothing; plots that already exist are named and nothing is added.
func (s *Service) GenerateHomes(ctx context.Context, actor audit.Actor, developmentID int64, in GenerateInput) ([]Home, error) {
	errs := in.Validate()
	var out []Home
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		tmpl := in.Home
		tmpl.Plot = ""
		if err := checkHomeInDB(ctx, tx, developmentID, tmpl, 0, errs); err != nil {
			return err
		}
		plots := in.Plots()
		if len(plots) > 0 {
			existing, err := existingPlots(ctx, tx, developmentID, plots)
			if err != nil {
				return err
			}
			if len(existing) > 0 {
				errs.Add("start", clashMessage(existing))
			}
		}
		if errs.Any() {
			return errs
		}
		for i, plot := range plots {
			h := in.Home
			h.Plot = plot
			created, err := createHome(ctx, tx, actor, developmentID, h, "home.generate",
				fmt.Sprintf("Added plot %s (generated, %d of %d)", plot, i+1, len(plots)))
			if err != nil {
				return err
			}
			out = append(out, created)
		}
		return nil
	})
	if err != nil {
		return nil, wrapErr("generate homes", err)
	}
	return out, nil
}

func clashMessage(existing []string) string {
	shown := existing
	more := ""
	if len(shown) > 10 {
		shown, more = shown[:10], fmt.Sprintf(" and %d more", len(existing)-10)
	}
	noun, verb := "Plots ", "already exist"
	if len(existing) == 1 {
		noun, verb = "Plot ", "already exists"
	}
	return noun + strings.Join(shown, ", ") + more + " " + verb + " in this development: choose another prefix or first plot number"
}

// lowerName is how names compare: case and spacing ignored.
func lowerName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
