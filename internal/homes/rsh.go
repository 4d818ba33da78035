package homes

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/s106monitor/s106/internal/audit"
)

// RSHEntry is one provider on the Regulator of Social Housing's list.
type RSHEntry struct {
	Number        string
	Name          string
	Designation   string // Local Authority, Non-profit or Profit
	CorporateForm string
	RegisteredOn  *time.Time
}

// Type is the provider type the designation means.
func (e RSHEntry) Type() ProviderType {
	if strings.Contains(strings.ToLower(e.Designation), "local authority") {
		return LocalAuthority
	}
	return PrivateRegisteredProvider
}

// MaxRSHBytes bounds the list upload (the published spreadsheet is well
// under 1 MB: about 1,600 providers).
const MaxRSHBytes = 10 << 20

// ParseRSHList reads the regulator's list of registered providers: the
// published spreadsheet (.xlsx, first worksheet) or the same as CSV. The
// heading row is found by its "Registration number" cell (title rows
// above it are skipped); the other columns are found by their headings
// ("Organisation name" or "Name", "Designation", "Corporate form",
// "Registration date").
func ParseRSHList(name string, data []byte) ([]RSHEntry, error) {
	var rows [][]string
	if bytes.HasPrefix(data, []byte("PK")) {
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s is not a readable Excel workbook: %v", name, err)
		}
		defer wb.Close()
		sheets := wb.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("%s has no worksheet", name)
		}
		if rows, err = wb.GetRows(sheets[0]); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	} else {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		var err error
		if rows, err = cr.ReadAll(); err != nil {
			return nil, fmt.Errorf("%s is not a readable spreadsheet or CSV: %v", name, err)
		}
	}
	head := -1
	col := map[string]int{}
	for i, r := range rows {
		for j, c := range r {
			h := strings.ToLower(strings.Join(strings.Fields(c), " "))
			switch {
			case strings.Contains(h, "registration number") || h == "reg no" || h == "registration no":
				col["number"] = j
				head = i
			case h == "organisation name" || h == "name" || h == "provider name" || h == "registered provider":
				col["name"] = j
			case strings.Contains(h, "designation") || h == "type of provider" || h == "provider type":
				col["designation"] = j
			case strings.Contains(h, "corporate form") || h == "legal entity":
				col["form"] = j
			case strings.Contains(h, "registration date"):
				col["date"] = j
			}
		}
		if head >= 0 {
			break
		}
		col = map[string]int{}
	}
	if head < 0 {
		return nil, errors.New(name + ": no heading row with a \"Registration number\" column: is this the regulator's list of registered providers?")
	}
	if _, ok := col["name"]; !ok {
		return nil, errors.New(name + ": the heading row has no \"Organisation name\" column")
	}
	cell := func(r []string, key string) string {
		j, ok := col[key]
		if !ok || j >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[j])
	}
	var out []RSHEntry
	for _, r := range rows[head+1:] {
		n := strings.ToUpper(strings.Join(strings.Fields(cell(r, "number")), ""))
		if n == "" || !rshPattern.MatchString(n) {
			continue // a blank or note row
		}
		e := RSHEntry{Number: n, Name: cell(r, "name"), Designation: cell(r, "designation"), CorporateForm: cell(r, "form")}
		for _, layout := range []string{"02/01/2006", "2006-01-02", "01-02-06", "2 January 2006", "02-Jan-2006"} {
			if t, err := time.Parse(layout, cell(r, "date")); err == nil {
				e.RegisteredOn = &t
				break
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New(name + ": no providers found under the headings")
	}
	return out, nil
}

// ImportRSHList replaces the stored list with entries.
func (s *Service) ImportRSHList(ctx context.Context, actor audit.Actor, name string, entries []RSHEntry) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM rsh_register`); err != nil {
			return err
		}
		rows := make([][]any, 0, len(entries))
		seen := map[string]bool{}
		for _, e := range entries {
			if seen[e.Number] {
				continue
			}
			seen[e.Number] = true
			rows = append(rows, []any{e.Number, e.Name, e.Designation, e.CorporateForm, e.RegisteredOn})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"rsh_register"}, []string{"registration_number", "name", "designation", "corporate_form", "registered_on"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("store the regulator's list: %w", err)
		}
		return audit.Record(ctx, tx, actor, "rsh.import", "rsh_register", name,
			fmt.Sprintf("Imported the regulator's list of %d registered providers from %s", len(rows), name), nil, map[string]any{"providers": len(rows)})
	})
}

// RSHFinding is what the regulator's list says about one of our providers.
type RSHFinding struct {
	Provider Provider
	Entry    *RSHEntry // the list's entry for its number (or name)
	Problem  string    // "" when the number, name and type agree
}

// CheckProviders compares every provider with the stored list: a number
// not on the list, a name that differs, a type that does not fit the
// designation, or no number where the list has the name.
func (s *Service) CheckProviders(ctx context.Context) ([]RSHFinding, time.Time, error) {
	var imported *time.Time
	if err := s.DB.Pool.QueryRow(ctx, `SELECT max(imported_at) FROM rsh_register`).Scan(&imported); err != nil || imported == nil {
		return nil, time.Time{}, err
	}
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT `+providerColumns+`, r.registration_number, r.name, r.designation, r.corporate_form, r.registered_on
		FROM registered_providers p
		LEFT JOIN LATERAL (SELECT * FROM rsh_register x
		                   WHERE x.registration_number = p.rsh_number OR (p.rsh_number = '' AND lower(x.name) = lower(p.name))
		                   ORDER BY x.registration_number = p.rsh_number DESC LIMIT 1) r ON true
		WHERE p.archived_at IS NULL
		ORDER BY lower(p.name)`)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var out []RSHFinding
	for rows.Next() {
		var num, name, des, form *string
		var on *time.Time
		p, err := scanProvider(rows, &num, &name, &des, &form, &on)
		if err != nil {
			return nil, time.Time{}, err
		}
		f := RSHFinding{Provider: p}
		if num != nil {
			f.Entry = &RSHEntry{Number: *num, Name: *name, Designation: *des, CorporateForm: *form, RegisteredOn: on}
		}
		switch {
		case p.RSHNumber == "" && f.Entry == nil:
			if p.Type != OtherProvider {
				f.Problem = "No registration number, and no provider of this name is on the regulator's list"
			}
		case p.RSHNumber == "":
			f.Problem = "No registration number: the regulator lists " + f.Entry.Name + " as " + f.Entry.Number
		case f.Entry == nil:
			f.Problem = "Registration number " + p.RSHNumber + " is not on the regulator's list"
		case !strings.EqualFold(strings.TrimSpace(f.Entry.Name), p.Name):
			f.Problem = "The regulator lists " + p.RSHNumber + " as " + f.Entry.Name
		case f.Entry.Type() != p.Type:
			f.Problem = "The regulator's designation is " + f.Entry.Designation + ", but the provider is recorded as " + strings.ToLower(p.Type.Label())
		}
		out = append(out, f)
	}
	return out, *imported, rows.Err()
}
