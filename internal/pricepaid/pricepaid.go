// Package pricepaid reads HM Land Registry's price paid data and matches
// its sales to affordable homes.
//
// The file (monthly or yearly, "pp-monthly-update.csv", "pp-2025.csv") is
// CSV with no header and 16 columns, each quoted: transaction unique
// identifier ({GUID}), price paid (whole pounds), date of transfer
// ("2025-03-14 00:00"), postcode, property type (D detached, S
// semi-detached, T terraced, F flat/maisonette, O other), old/new (Y a new
// build, N an established building), duration (F freehold, L leasehold),
// PAON (primary addressable object name: usually the house number or
// name), SAON (secondary: the flat or unit), street, locality, town/city,
// district, county, PPD category type (A standard price paid, B additional)
// and record status (A addition, C change, D delete; monthly files only).
//
// A sale matches a home when the normalised postcode is the same and the
// PAON and SAON are the same after normalisation ("FLAT 3" and "3", "12A"
// and "12 A"): a different number, or a flat in another building at the
// same postcode, is not a match.
package pricepaid

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Columns is the number of columns of the published file.
const Columns = 16

// Sale is one row of the price paid file.
type Sale struct {
	TransactionID string
	Price         int64 // whole pounds
	Date          time.Time
	Postcode      string
	PropertyType  string
	NewBuild      bool
	Tenure        string // F or L
	PAON          string
	SAON          string
	Street        string
	Locality      string
	Town          string
	District      string
	County        string
	Category      string // A or B
	RecordStatus  string // A, C or D
}

// RowError is a row that could not be read, by line and column.
type RowError struct {
	Line   int
	Column int // 1-based; 0 for the row as a whole
	Msg    string
}

func (e RowError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, column %d (%s): %s", e.Line, e.Column, columnNames[e.Column-1], e.Msg)
}

var columnNames = [Columns]string{"transaction id", "price", "date", "postcode", "property type", "new build", "tenure",
	"PAON", "SAON", "street", "locality", "town", "district", "county", "category", "record status"}

// MaxRowErrors is how many bad rows Read reports before it stops.
const MaxRowErrors = 100

// Read streams the file, calling each for every good row; bad rows are
// collected (up to MaxRowErrors) and returned with the count read. It
// holds one row in memory at a time.
func Read(r io.Reader, each func(Sale) error) (int, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var bad []RowError
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, bad, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.Line, Msg: "not valid CSV: " + pe.Err.Error()})
				if len(bad) >= MaxRowErrors {
					return n, bad, nil
				}
				continue
			}
			return n, bad, err
		}
		s, rerr := parse(rec, line)
		if rerr != nil {
			bad = append(bad, *rerr)
			if len(bad) >= MaxRowErrors {
				return n, bad, nil
			}
			continue
		}
		n++
		if err := each(s); err != nil {
			return n, bad, err
		}
	}
}

func parse(rec []string, line int) (Sale, *RowError) {
	if len(rec) != Columns {
		return Sale{}, &RowError{Line: line, Msg: fmt.Sprintf("has %d columns; the price paid file has %d", len(rec), Columns)}
	}
	f := func(i int) string { return strings.TrimSpace(rec[i]) }
	s := Sale{TransactionID: f(0), Postcode: NormalisePostcode(f(3)), PropertyType: f(4), Tenure: f(6), PAON: f(7), SAON: f(8),
		Street: f(9), Locality: f(10), Town: f(11), District: f(12), County: f(13), Category: f(14), RecordStatus: f(15)}
	if s.TransactionID == "" || len(s.TransactionID) > 64 {
		return s, &RowError{Line: line, Column: 1, Msg: "is missing"}
	}
	if s.RecordStatus == "" {
		s.RecordStatus = "A"
	}
	if !strings.Contains("ACD", s.RecordStatus) || len(s.RecordStatus) != 1 {
		return s, &RowError{Line: line, Column: 16, Msg: "must be A, C or D"}
	}
	if s.RecordStatus == "D" {
		return s, nil // a deletion names only the transaction
	}
	price, err := strconv.ParseInt(f(1), 10, 64)
	if err != nil || price < 0 {
		return s, &RowError{Line: line, Column: 2, Msg: "must be a whole number of pounds, like 250000"}
	}
	s.Price = price
	d := f(2)
	if len(d) >= 10 {
		d = d[:10]
	}
	if s.Date, err = time.Parse("2006-01-02", d); err != nil {
		return s, &RowError{Line: line, Column: 3, Msg: "must be a date like 2025-03-14 00:00"}
	}
	switch f(5) {
	case "Y":
		s.NewBuild = true
	case "N":
	default:
		return s, &RowError{Line: line, Column: 6, Msg: "must be Y or N"}
	}
	return s, nil
}

// NormalisePostcode upper-cases a postcode and puts one space before its
// last three characters.
func NormalisePostcode(p string) string {
	p = strings.ToUpper(strings.Join(strings.Fields(p), ""))
	if len(p) >= 5 && len(p) <= 8 {
		return p[:len(p)-3] + " " + p[len(p)-3:]
	}
	return p
}

var (
	nonAlnum   = regexp.MustCompile(`[^A-Z0-9 ]+`)
	unitWords  = regexp.MustCompile(`^(FLAT|APARTMENT|APT|UNIT|MAISONETTE|ROOM|STUDIO)\s+`)
	numberPart = regexp.MustCompile(`^([0-9]+)\s*([A-Z]?)\b`)
)

// NormaliseName is a PAON or SAON for comparison: upper case, no
// punctuation, single spaces, "FLAT 3" as "3", "12 A" as "12A".
func NormaliseName(s string) string {
	s = strings.ToUpper(s)
	s = nonAlnum.ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	s = unitWords.ReplaceAllString(s, "")
	if m := numberPart.FindStringSubmatch(s); m != nil && len(m[0]) == len(s) {
		return m[1] + m[2]
	}
	return s
}

// Key is what a sale and a home are matched on.
type Key struct {
	Postcode, PAON, SAON string
}

// SaleKey is a sale's matching key.
func SaleKey(s Sale) Key {
	return Key{Postcode: s.Postcode, PAON: NormaliseName(s.PAON), SAON: NormaliseName(s.SAON)}
}

// AddressKey reads a home's one-line address ("Flat 3, 12 Mill Road,
// Ashford") and postcode into a key: a first part naming a flat or unit is
// the SAON; the next part's house number (or, with none, the whole part,
// a building's name) is the PAON.
func AddressKey(address, postcode string) Key {
	k := Key{Postcode: NormalisePostcode(postcode)}
	var parts []string
	for _, p := range strings.Split(address, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, strings.ToUpper(p))
		}
	}
	if len(parts) == 0 {
		return k
	}
	if unitWords.MatchString(parts[0]) {
		k.SAON = NormaliseName(parts[0])
		parts = parts[1:]
		if len(parts) == 0 {
			return k
		}
	}
	first := nonAlnum.ReplaceAllString(parts[0], " ")
	first = strings.Join(strings.Fields(first), " ")
	if m := numberPart.FindStringSubmatch(first); m != nil {
		k.PAON = m[1] + m[2]
		return k
	}
	// A building name, then perhaps its number in the next part.
	k.PAON = NormaliseName(first)
	return k
}

// Home is what the matcher knows of a home.
type Home struct {
	ID          int64
	Key         Key
	Affordable  bool   // its current tenure is affordable
	Staircasing bool   // shared ownership or the like
	ExitRoute   string // "" while in the affordable stock
	ExitedOn    *time.Time
}

// Verdict is what a matched sale means.
type Verdict struct {
	Suspicious bool
	Reason     string
}

// Judge decides whether a sale of a home is one the housing team should
// investigate: a home that should still be affordable was sold. A sale is
// expected after the home left the stock by staircasing to 100%, right to
// buy or right to acquire (on or after that exit, allowing 90 days for the
// registration to lag the event), and a market home's sale is nobody's
// concern.
func Judge(h Home, s Sale) Verdict {
	if !h.Affordable && h.ExitRoute == "" {
		return Verdict{Reason: "a market home"}
	}
	switch h.ExitRoute {
	case "staircased", "right-to-buy", "right-to-acquire", "sold", "converted-to-market":
		if h.ExitedOn == nil || !s.Date.Before(h.ExitedOn.AddDate(0, 0, -90)) {
			return Verdict{Reason: "sold after it left the affordable stock (" + h.ExitRoute + ")"}
		}
		return Verdict{Suspicious: true, Reason: "sold before the recorded " + h.ExitRoute + " on " + h.ExitedOn.Format("2 January 2006")}
	case "":
	default:
		return Verdict{Suspicious: true, Reason: "sold although it is recorded as " + h.ExitRoute}
	}
	if h.Staircasing {
		return Verdict{Suspicious: true, Reason: "a shared ownership home sold with no staircasing to 100% recorded"}
	}
	return Verdict{Suspicious: true, Reason: "an affordable home sold on the open market with no exit from the affordable stock recorded"}
}

// Index finds homes by key.
type Index map[Key][]Home

// NewIndex indexes homes with a postcode and a PAON.
func NewIndex(homes []Home) Index {
	ix := make(Index, len(homes))
	for _, h := range homes {
		if h.Key.Postcode == "" || h.Key.PAON == "" {
			continue
		}
		ix[h.Key] = append(ix[h.Key], h)
	}
	return ix
}

// Match returns the homes a sale is of (normally one).
func (ix Index) Match(s Sale) []Home { return ix[SaleKey(s)] }
