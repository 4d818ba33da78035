package homes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// MaxImportRows is the most homes one schedule of accommodation may hold.
const MaxImportRows = 10000

// ImportColumns are the columns a schedule of accommodation may have, in
// the order the template shows them. plot, tenure and bedrooms are needed.
var ImportColumns = []string{"plot", "tenure", "bedrooms", "habitable_rooms", "floor_area_m2", "wheelchair", "floor_block",
	"address", "postcode", "uprn", "provider"}

// headerSynonyms maps a squashed header (lower case, letters and digits
// only) to its column.
var headerSynonyms = map[string]string{
	"plot": "plot", "plotno": "plot", "plotnumber": "plot", "plotref": "plot", "unit": "plot", "unitno": "plot",
	"unitnumber": "plot", "unitref": "plot", "plotunit": "plot", "unitplot": "plot", "flat": "plot", "flatno": "plot",
	"tenure": "tenure", "tenuretype": "tenure", "tenuresecured": "tenure", "type": "tenure",
	"bedrooms": "bedrooms", "beds": "bedrooms", "bed": "bedrooms", "bedroom": "bedrooms", "noofbedrooms": "bedrooms",
	"numberofbedrooms": "bedrooms", "bedroomcount": "bedrooms", "nobeds": "bedrooms",
	"habitablerooms": "habitable_rooms", "habrooms": "habitable_rooms", "hr": "habitable_rooms", "habitable": "habitable_rooms",
	"habitableroom": "habitable_rooms", "noofhabitablerooms": "habitable_rooms",
	"floorarea": "floor_area_m2", "flooraream2": "floor_area_m2", "floorareasqm": "floor_area_m2", "aream2": "floor_area_m2",
	"area": "floor_area_m2", "gia": "floor_area_m2", "giam2": "floor_area_m2", "nia": "floor_area_m2", "niam2": "floor_area_m2",
	"sqm": "floor_area_m2", "m2": "floor_area_m2", "size": "floor_area_m2", "sizem2": "floor_area_m2",
	"wheelchair": "wheelchair", "wheelchairstandard": "wheelchair", "accessibility": "wheelchair", "m4": "wheelchair",
	"partm": "wheelchair", "m4standard": "wheelchair", "wheelchairhome": "wheelchair",
	"floorblock": "floor_block", "floor": "floor_block", "block": "floor_block", "level": "floor_block", "core": "floor_block",
	"blockfloor": "floor_block",
	"address":    "address", "fulladdress": "address", "postaladdress": "address",
	"postcode": "postcode", "postalcode": "postcode", "pc": "postcode",
	"uprn":     "uprn",
	"provider": "provider", "registeredprovider": "provider", "rp": "provider", "housingassociation": "provider",
	"rpname": "provider", "providername": "provider",
}

// tenureSynonyms maps a squashed tenure value to its tenure.
var tenureSynonyms = map[string]Tenure{
	"socialrent": SocialRent, "socialrented": SocialRent, "sr": SocialRent, "social": SocialRent,
	"londonaffordablerent": LondonAffordableRent, "lar": LondonAffordableRent, "londonaffordablerented": LondonAffordableRent,
	"affordablerent": AffordableRent, "affordablerented": AffordableRent, "ar": AffordableRent,
	"londonlivingrent": LondonLivingRent, "llr": LondonLivingRent,
	"intermediaterent": IntermediateRent, "intermediaterented": IntermediateRent, "ir": IntermediateRent,
	"sharedownership": SharedOwnership, "so": SharedOwnership, "lcho": SharedOwnership,
	"firsthomes": FirstHomes, "firsthome": FirstHomes, "fh": FirstHomes,
	"discountmarketsale": DiscountMarketSale, "discountedmarketsale": DiscountMarketSale, "dms": DiscountMarketSale,
	"otherintermediate": OtherIntermediate, "intermediate": OtherIntermediate,
	"market": Market, "private": Market, "privatesale": Market, "openmarket": Market, "marketsale": Market,
	"openmarketsale": Market,
}

var wheelchairSynonyms = map[string]Wheelchair{
	"": WheelchairNone, "none": WheelchairNone, "no": WheelchairNone, "n": WheelchairNone, "m41": WheelchairNone,
	"m42": M42, "accessible": M42, "adaptable": M42, "accessibleandadaptable": M42, "m42accessibleandadaptable": M42,
	"m43": M43, "m43a": M43, "m43b": M43, "wheelchair": M43, "wheelchairuser": M43, "yes": M43, "y": M43,
	"m43wheelchairuser": M43, "wheelchairaccessible": M43, "wheelchairadaptable": M43,
}

// squash lower-cases s and keeps only its letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ImportError is one problem in a schedule, at a row (the file's line as
// a spreadsheet numbers it: the header is row 1) and column.
type ImportError struct {
	Row     int
	Column  string // "" when the problem is the whole row
	Message string
}

func (e ImportError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("Row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("Row %d, column %s: %s", e.Row, e.Column, e.Message)
}

// ImportErrors are every problem found in a schedule.
type ImportErrors []ImportError

func (e ImportErrors) Error() string {
	parts := make([]string, 0, len(e))
	for _, x := range e {
		parts = append(parts, x.String())
	}
	return strings.Join(parts, "; ")
}

// ImportRow is one home a schedule describes.
type ImportRow struct {
	Row      int
	Home     HomeInput
	Provider string // the provider's name as written
}

// ParsedSchedule is what ParseSchedule read from a file.
type ParsedSchedule struct {
	Rows    []ImportRow
	Errors  ImportErrors
	Columns []string // the columns recognised, in file order
	Ignored []string // headers not recognised, as written
}

var bedroomsPattern = regexp.MustCompile(`^([0-9]+)\s*(b|bed|beds|bedroom|bedrooms|bd|bdr|br)?$`)

// ParseSchedule reads a schedule of accommodation (CSV) without touching
// the database: header matching, value parsing and every rule a single
// row or the file alone can break (plots and UPRNs repeated within the
// file). It never panics; every error names a row.
func ParseSchedule(data []byte) ParsedSchedule {
	var out ParsedSchedule
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		out.Errors = append(out.Errors, ImportError{Row: 1, Message: "The file is not UTF-8 text: save it from your spreadsheet as “CSV UTF-8”"})
		return out
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	first := firstLine(data)
	if strings.Count(first, ";") > strings.Count(first, ",") {
		r.Comma = ';'
	} else if strings.Count(first, "\t") > strings.Count(first, ",") {
		r.Comma = '\t'
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		out.Errors = append(out.Errors, ImportError{Row: 1, Message: "The file is empty: it needs a header row and a row for each home"})
		return out
	}
	if err != nil {
		out.Errors = append(out.Errors, csvError(err, 1))
		return out
	}
	cols := make([]string, len(header)) // column name per position, "" if ignored
	seen := map[string]int{}
	for i, h := range header {
		col, ok := headerSynonyms[squash(h)]
		if !ok {
			if strings.TrimSpace(h) != "" {
				out.Ignored = append(out.Ignored, strings.TrimSpace(h))
			}
			continue
		}
		if j, dup := seen[col]; dup {
			out.Errors = append(out.Errors, ImportError{Row: 1, Column: col,
				Message: fmt.Sprintf("Headers “%s” and “%s” both mean %s: keep one of them", strings.TrimSpace(header[j]), strings.TrimSpace(h), col)})
			continue
		}
		seen[col] = i
		cols[i] = col
		out.Columns = append(out.Columns, col)
	}
	for _, need := range []string{"plot", "tenure", "bedrooms"} {
		if _, ok := seen[need]; !ok {
			out.Errors = append(out.Errors, ImportError{Row: 1, Column: need, Message: "The header row has no " + need + " column"})
		}
	}
	if len(out.Errors) > 0 {
		return out
	}
	plots := map[string]int{} // lower-cased plot → row
	uprns := map[int64]int{}  // UPRN number → row
	row := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row++
		if err != nil {
			var pe *csv.ParseError
			line := row
			if errors.As(err, &pe) && pe.Line > 0 {
				line = pe.Line
			}
			out.Errors = append(out.Errors, csvError(err, line))
			return out
		}
		if blank(rec) {
			continue
		}
		if len(out.Rows)+1 > MaxImportRows {
			out.Errors = append(out.Errors, ImportError{Row: row, Message: fmt.Sprintf("The file has more than %s homes: split it into smaller files", formatThousands(MaxImportRows))})
			return out
		}
		if len(rec) > len(cols) {
			extra := rec[len(cols):]
			if !blank(extra) {
				out.Errors = append(out.Errors, ImportError{Row: row, Message: fmt.Sprintf("The row has %d values but the header has %d columns", len(rec), len(cols))})
				continue
			}
		}
		vals := map[string]string{}
		for i, col := range cols {
			if col != "" && i < len(rec) {
				vals[col] = strings.TrimSpace(rec[i])
			}
		}
		ir, rowErrs := parseRow(row, vals)
		out.Errors = append(out.Errors, rowErrs...)
		if ir.Home.Plot != "" {
			key := strings.ToLower(ir.Home.Plot)
			if first, dup := plots[key]; dup {
				out.Errors = append(out.Errors, ImportError{Row: row, Column: "plot", Message: fmt.Sprintf("Plot %s is also on row %d: each plot must be unique", ir.Home.Plot, first)})
			} else {
				plots[key] = row
			}
		}
		if ir.Home.UPRN != "" {
			n := uprnNumber(ir.Home.UPRN)
			if first, dup := uprns[n]; dup {
				out.Errors = append(out.Errors, ImportError{Row: row, Column: "uprn", Message: fmt.Sprintf("UPRN %s is also on row %d: each home has its own UPRN", ir.Home.UPRN, first)})
			} else {
				uprns[n] = row
			}
		}
		if len(rowErrs) == 0 {
			out.Rows = append(out.Rows, ir)
		}
	}
	if len(out.Rows) == 0 && len(out.Errors) == 0 {
		out.Errors = append(out.Errors, ImportError{Row: 2, Message: "The file has a header row but no homes"})
	}
	return out
}

// parseRow reads one row's values into a home and checks its rules.
func parseRow(row int, vals map[string]string) (ImportRow, ImportErrors) {
	var errs ImportErrors
	add := func(col, msg string) { errs = append(errs, ImportError{Row: row, Column: col, Message: msg}) }
	ir := ImportRow{Row: row, Provider: strings.Join(strings.Fields(vals["provider"]), " ")}
	in := HomeInput{Plot: vals["plot"], FloorBlock: vals["floor_block"], Address: vals["address"], Postcode: vals["postcode"], UPRN: vals["uprn"]}
	if t := vals["tenure"]; t != "" {
		if tenure, ok := tenureSynonyms[squash(t)]; ok {
			in.Tenure = string(tenure)
		} else {
			add("tenure", "“"+t+"” is not a tenure: use social rent, affordable rent, shared ownership, First Homes, market or another tenure on the list")
		}
	}
	if b := strings.ToLower(vals["bedrooms"]); b != "" {
		if squash(b) == "studio" {
			zero := 0
			in.Bedrooms = &zero
		} else if m := bedroomsPattern.FindStringSubmatch(b); m != nil && len(m[1]) <= 3 {
			n, _ := strconv.Atoi(m[1])
			in.Bedrooms = &n
		} else {
			add("bedrooms", "Bedrooms must be a whole number from 0 to 10 (0 or “studio” for a studio)")
		}
	}
	if s := vals["habitable_rooms"]; s != "" {
		if n, err := strconv.Atoi(s); err == nil && len(s) <= 3 {
			in.HabitableRooms = &n
		} else {
			add("habitable_rooms", "Habitable rooms must be a whole number, like 3")
		}
	}
	if s := vals["floor_area_m2"]; s != "" {
		clean := strings.TrimSpace(strings.NewReplacer("m²", "", "m2", "", "sqm", "", "sq m", "", ",", "").Replace(strings.ToLower(s)))
		d, err := decimal.NewFromString(clean)
		if err != nil || strings.ContainsAny(clean, "eE") || len(clean) > 12 {
			add("floor_area_m2", "Floor area must be a number of square metres, like 61.5")
		} else {
			d = d.Round(2)
			in.FloorAreaM2 = &d
		}
	}
	if w, ok := wheelchairSynonyms[squash(vals["wheelchair"])]; ok {
		in.Wheelchair = string(w)
	} else {
		add("wheelchair", "Wheelchair standard must be none, M4(2) or M4(3)")
	}
	verrs := in.Validate()
	for _, f := range verrs.Fields() {
		if f == "tenure" && in.Tenure == "" && vals["tenure"] != "" {
			continue // already reported as not a tenure
		}
		if f == "bedrooms" && in.Bedrooms == nil && vals["bedrooms"] != "" {
			continue
		}
		msg := verrs.Get(f)
		if f == "tenure" && vals["tenure"] == "" {
			msg = "Enter the tenure the home was secured as"
		}
		add(f, msg)
	}
	ir.Home = in
	return ir, errs
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func firstLine(data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return string(data[:i])
	}
	return string(data)
}

func csvError(err error, row int) ImportError {
	var pe *csv.ParseError
	msg := "The file could not be read as CSV"
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			msg = "A quotation mark is out of place: save the file again from your spreadsheet as CSV"
		}
	}
	return ImportError{Row: row, Message: msg}
}

func formatThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Checksum is the SHA-256 of a file, as hex: it ties a confirmed import
// to the file previewed, and goes in the audit trail.
func Checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ImportPreview is what importing a schedule would do: the homes it would
// add, or every problem that stops it.
type ImportPreview struct {
	FileName     string
	Checksum     string
	ObligationID *int64
	Rows         []ImportRow
	Errors       ImportErrors
	Ignored      []string
	Providers    map[string]string // lower-cased name → name as recorded
}

// OK reports whether the schedule can be imported.
func (p ImportPreview) OK() bool { return len(p.Errors) == 0 && len(p.Rows) > 0 }

// checkImport parses a schedule and checks it against the database:
// providers on the list, plots new to the development, UPRNs not used by
// any home, the obligation one of the development's.
func checkImport(ctx context.Context, q store.Querier, developmentID int64, obligationID *int64, fileName string, data []byte) (ImportPreview, error) {
	parsed := ParseSchedule(data)
	pv := ImportPreview{FileName: fileName, Checksum: Checksum(data), ObligationID: obligationID, Rows: parsed.Rows,
		Errors: parsed.Errors, Ignored: parsed.Ignored, Providers: map[string]string{}}
	if obligationID != nil {
		ok, err := obligationOfDevelopment(ctx, q, *obligationID, developmentID)
		if err != nil {
			return pv, err
		}
		if !ok {
			errs := &forms.Errors{}
			errs.Add("obligation", "Select an affordable-housing obligation of this development")
			return pv, errs
		}
	}
	if len(pv.Rows) == 0 {
		return pv, nil
	}
	providers, err := providersByName(ctx, q)
	if err != nil {
		return pv, err
	}
	plots, err := developmentPlots(ctx, q, developmentID)
	if err != nil {
		return pv, err
	}
	var numbers []int64
	for _, r := range pv.Rows {
		if r.Home.UPRN != "" {
			numbers = append(numbers, uprnNumber(r.Home.UPRN))
		}
	}
	holders, err := uprnHolders(ctx, q, numbers)
	if err != nil {
		return pv, err
	}
	var extra ImportErrors
	for i := range pv.Rows {
		r := &pv.Rows[i]
		if r.Provider != "" {
			if p, ok := providers[lowerName(r.Provider)]; ok {
				id := p.ID
				r.Home.ProviderID = &id
				pv.Providers[lowerName(r.Provider)] = p.Name
			} else {
				extra = append(extra, ImportError{Row: r.Row, Column: "provider",
					Message: "There is no registered provider called “" + r.Provider + "”: add it to the providers list first, or correct the name"})
			}
		}
		if taken, ok := plots[strings.ToLower(r.Home.Plot)]; ok {
			extra = append(extra, ImportError{Row: r.Row, Column: "plot", Message: "There is already a plot " + taken + " in this development"})
		}
		if r.Home.UPRN != "" {
			if h, ok := holders[uprnNumber(r.Home.UPRN)]; ok {
				extra = append(extra, ImportError{Row: r.Row, Column: "uprn", Message: uprnTaken(r.Home.UPRN, h[0], h[1])})
			}
		}
		if obligationID != nil && Tenure(r.Home.Tenure).Affordable() {
			id := *obligationID
			r.Home.ObligationID = &id
		}
	}
	pv.Errors = mergeByRow(pv.Errors, extra)
	return pv, nil
}

// mergeByRow merges two row-ordered error lists, keeping row order.
func mergeByRow(a, b ImportErrors) ImportErrors {
	out := make(ImportErrors, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i].Row <= b[j].Row) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// PreviewImport checks a schedule of accommodation for a development and
// says what importing it would do. It writes nothing.
func (s *Service) PreviewImport(ctx context.Context, developmentID int64, obligationID *int64, fileName string, data []byte) (ImportPreview, error) {
	if _, err := developmentName(ctx, s.DB.Pool, developmentID); err != nil {
		return ImportPreview{}, err
	}
	pv, err := checkImport(ctx, s.DB.Pool, developmentID, obligationID, fileName, data)
	return pv, wrapErr("preview import", err)
}

// ConfirmImport checks the schedule again and adds every home it
// describes in one transaction, each with its audit event naming the file
// and its checksum. Any problem (returned as ImportErrors, or *forms.Errors
// for the obligation) and nothing is written.
func (s *Service) ConfirmImport(ctx context.Context, actor audit.Actor, developmentID int64, obligationID *int64, fileName string, data []byte) (ImportPreview, error) {
	var pv ImportPreview
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		var err error
		if pv, err = checkImport(ctx, tx, developmentID, obligationID, fileName, data); err != nil {
			return err
		}
		if len(pv.Errors) > 0 {
			return pv.Errors
		}
		if len(pv.Rows) == 0 {
			return ImportErrors{{Row: 2, Message: "The file has a header row but no homes"}}
		}
		short := pv.Checksum[:12]
		homes := make([]newHome, len(pv.Rows))
		for i, r := range pv.Rows {
			homes[i] = newHome{In: r.Home, Summary: fmt.Sprintf("Added plot %s from %s (row %d, SHA-256 %s)", r.Home.Plot, fileName, r.Row, short)}
		}
		i, err := createHomes(ctx, tx, actor, developmentID, homes, "home.import")
		var verrs *forms.Errors
		if i >= 0 && errors.As(err, &verrs) {
			var out ImportErrors
			for _, f := range verrs.Fields() {
				out = append(out, ImportError{Row: pv.Rows[i].Row, Column: f, Message: verrs.Get(f)})
			}
			return out
		}
		return err
	})
	if err != nil {
		var ierrs ImportErrors
		if errors.As(err, &ierrs) {
			pv.Errors = ierrs
		}
		return pv, wrapErr("import homes", err)
	}
	return pv, nil
}

func developmentName(ctx context.Context, q store.Querier, id int64) (string, error) {
	var name string
	err := q.QueryRow(ctx, `SELECT name FROM developments WHERE id = $1`, id).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return name, err
}
