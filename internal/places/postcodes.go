package places

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// postcodeShape is a full UK postcode once spaces are taken out: outward
// code (2–4 characters) then inward code (a digit and two letters).
var postcodeShape = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$`)

// NormalisePostcode returns the postcode in the form postcodes are kept:
// capitals without spaces ("wv3 7qa" → "WV37QA"), and whether it has the
// shape of a full postcode.
func NormalisePostcode(s string) (string, bool) {
	p := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	return p, postcodeShape.MatchString(p)
}

// FormatPostcode prints a normalised postcode with its space ("WV37QA" →
// "WV3 7QA").
func FormatPostcode(p string) string {
	if len(p) < 5 {
		return p
	}
	return p[:len(p)-3] + " " + p[len(p)-3:]
}

// ONSPD column names. The ONS Postcode Directory's CSV has one header row
// of lower-case field names: pcd, pcd2, pcds, dointr, doterm, oscty, ced,
// oslaua, osward, parish, …, lat, long, …. Newer releases name the
// geography columns after their vintage (lad25cd, wd25cd, parncp25cd), so
// each is matched by its old name or its new pattern.
var (
	onspdPostcode = []string{"pcds", "pcd", "pcd2", "pcd7", "pcd8"}
	onspdLat      = regexp.MustCompile(`^lat$`)
	onspdLong     = regexp.MustCompile(`^long$`)
	onspdTerm     = regexp.MustCompile(`^doterm$`)
	onspdLAD      = regexp.MustCompile(`^(oslaua|laua|lad[0-9]{2}cd)$`)
	onspdWard     = regexp.MustCompile(`^(osward|ward|wd[0-9]{2}cd)$`)
	onspdParish   = regexp.MustCompile(`^(parish|par[0-9]{2}cd|parncp[0-9]{2}cd)$`)
)

// LoadResult is what a load did.
type LoadResult struct {
	Read    int // data rows read
	Kept    int // rows in the council's area, now in postcodes
	Skipped int // in the area but terminated or without a grid reference
}

// FileError is a problem with the file's shape, naming the row (1 is the
// header) and column where it can.
type FileError struct {
	Row    int
	Column string
	Msg    string
}

func (e *FileError) Error() string {
	switch {
	case e.Row > 0 && e.Column != "":
		return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Msg)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
	}
	return e.Msg
}

// onspdColumns finds the columns LoadONSPD reads in the header.
type onspdColumns struct {
	postcode, lat, long, term, lad, ward, parish int
}

func findONSPDColumns(header []string) (onspdColumns, error) {
	c := onspdColumns{-1, -1, -1, -1, -1, -1, -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case c.postcode < 0 && h == "pcds":
			c.postcode = i
		case onspdLat.MatchString(h):
			c.lat = i
		case onspdLong.MatchString(h):
			c.long = i
		case onspdTerm.MatchString(h):
			c.term = i
		case onspdLAD.MatchString(h):
			c.lad = i
		case onspdWard.MatchString(h):
			c.ward = i
		case onspdParish.MatchString(h):
			c.parish = i
		}
	}
	if c.postcode < 0 {
		for i, h := range header {
			for _, name := range onspdPostcode {
				if c.postcode < 0 && strings.EqualFold(strings.TrimSpace(h), name) {
					c.postcode = i
				}
			}
		}
	}
	var missing []string
	// In the file's own order, so the message is the same every time.
	for _, col := range []struct {
		name string
		i    int
	}{{"pcds", c.postcode}, {"lat", c.lat}, {"long", c.long}, {"oslaua (or lad..cd)", c.lad}} {
		if col.i < 0 {
			missing = append(missing, col.name)
		}
	}
	if len(missing) > 0 {
		return c, &FileError{Row: 1, Msg: "this is not an ONS Postcode Directory CSV: no " + strings.Join(missing, ", ") + " column"}
	}
	return c, nil
}

// onspdSource streams the council's rows of an ONSPD CSV into COPY, so a
// national file (2.7 million rows, over a gigabyte) is read in bounded
// memory: one row at a time, nothing kept but counts.
type onspdSource struct {
	r      *csv.Reader
	cols   onspdColumns
	lad    string
	row    []any
	line   int
	result *LoadResult
	err    error
}

func (s *onspdSource) Next() bool {
	for {
		rec, err := s.r.Read()
		if errors.Is(err, io.EOF) {
			return false
		}
		s.line++
		if err != nil {
			s.err = &FileError{Row: s.line, Msg: "cannot read the CSV: " + err.Error()}
			return false
		}
		s.result.Read++
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if !strings.EqualFold(get(s.cols.lad), s.lad) {
			continue
		}
		pc, ok := NormalisePostcode(get(s.cols.postcode))
		if !ok {
			s.err = &FileError{Row: s.line, Column: "pcds", Msg: fmt.Sprintf("%q is not a postcode", get(s.cols.postcode))}
			return false
		}
		lat, errLat := strconv.ParseFloat(get(s.cols.lat), 64)
		long, errLong := strconv.ParseFloat(get(s.cols.long), 64)
		// The ONSPD gives terminated postcodes a doterm, and postcodes
		// without a grid reference lat 99.999999: neither can be placed.
		if get(s.cols.term) != "" || errLat != nil || errLong != nil || lat < 49 || lat > 61 || long < -9 || long > 2 {
			s.result.Skipped++
			continue
		}
		s.result.Kept++
		s.row = []any{pc, FormatPostcode(pc), lat, long, get(s.cols.ward), get(s.cols.parish), strings.ToUpper(get(s.cols.lad))}
		return true
	}
}

func (s *onspdSource) Values() ([]any, error) { return s.row, nil }
func (s *onspdSource) Err() error             { return s.err }

// LoadONSPD replaces the council's postcodes with the rows of an ONS
// Postcode Directory CSV whose local authority is ladCode (e.g.
// "E07000123"), all or nothing, and audits the load.
func LoadONSPD(ctx context.Context, db *store.DB, actor audit.Actor, r io.Reader, ladCode string) (LoadResult, error) {
	var res LoadResult
	ladCode = strings.TrimSpace(ladCode)
	if ladCode == "" {
		return res, &FileError{Msg: "set the council's local authority code (S106_LOCAL_AUTHORITY_CODE, e.g. E07000123) so only its postcodes are kept"}
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return res, &FileError{Row: 1, Msg: "the file is empty or not a CSV"}
	}
	cols, err := findONSPDColumns(header)
	if err != nil {
		return res, err
	}
	src := &onspdSource{r: cr, cols: cols, lad: ladCode, line: 1, result: &res}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM postcodes`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"postcodes"},
			[]string{"postcode", "pcds", "latitude", "longitude", "ward_code", "parish_code", "lad_code"}, src); err != nil {
			if src.err != nil {
				return src.err
			}
			if store.IsUniqueViolation(err, "postcodes_pkey") {
				return &FileError{Msg: "the file lists a postcode twice"}
			}
			return err
		}
		if res.Kept == 0 {
			return &FileError{Msg: fmt.Sprintf("no postcode in the file is in local authority %s: check S106_LOCAL_AUTHORITY_CODE", ladCode)}
		}
		return audit.Record(ctx, tx, actor, "postcodes.load", "postcodes", ladCode,
			fmt.Sprintf("Loaded %d postcodes of %s from the ONS Postcode Directory", res.Kept, ladCode), nil, res)
	})
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return res, fe
		}
		return res, fmt.Errorf("load postcodes: %w", err)
	}
	return res, nil
}

// Point is a position on the WGS84 ellipsoid, in degrees.
type Point struct {
	Lat, Lon float64
}

// LookupPostcode returns where a postcode is, and its printed form;
// store.ErrNotFound when the council's directory does not hold it.
func LookupPostcode(ctx context.Context, q store.Querier, postcode string) (Point, string, error) {
	pc, ok := NormalisePostcode(postcode)
	if !ok {
		return Point{}, "", store.ErrNotFound
	}
	var p Point
	var printed string
	err := q.QueryRow(ctx, `SELECT latitude::float8, longitude::float8, pcds FROM postcodes WHERE postcode = $1`, pc).Scan(&p.Lat, &p.Lon, &printed)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, "", store.ErrNotFound
	}
	if err != nil {
		return p, "", fmt.Errorf("look up postcode %s: %w", pc, err)
	}
	return p, printed, nil
}
