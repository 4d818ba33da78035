package ifs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// ListItem is an item of the council's infrastructure list (regulation
// 121A(1)(a): "the infrastructure projects or types of infrastructure
// which the charging authority intends will be, or may be, wholly or
// partly funded by CIL"), with the financial years it was added and
// removed.
type ListItem struct {
	ID          int64
	Name        string
	Description string
	PurposeCode string
	PurposeName string
	AddedYear   int
	RemovedYear *int
	Version     int
}

// OnListIn reports whether the item was on the list in year.
func (i ListItem) OnListIn(year int) bool {
	return i.AddedYear <= year && (i.RemovedYear == nil || *i.RemovedYear > year)
}

// InfrastructureList returns every item ever on the list, current first.
func (s *Service) InfrastructureList(ctx context.Context) ([]ListItem, error) {
	return infrastructureList(ctx, s.DB.Pool, 0)
}

// infrastructureList reads the items on the list in year (every item when
// year is 0).
func infrastructureList(ctx context.Context, q store.Querier, year int) ([]ListItem, error) {
	rows, err := q.Query(ctx, `
		SELECT i.id, i.name, i.description, i.purpose_code, pu.name, i.added_year, i.removed_year, i.version
		FROM infrastructure_list_items i JOIN contribution_purposes pu ON pu.code = i.purpose_code
		WHERE $1 = 0 OR (i.added_year <= $1 AND (i.removed_year IS NULL OR i.removed_year > $1))
		ORDER BY i.removed_year IS NOT NULL, lower(pu.name), lower(i.name), i.id`, year)
	if err != nil {
		return nil, fmt.Errorf("infrastructure list: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ListItem, error) {
		var it ListItem
		err := r.Scan(&it.ID, &it.Name, &it.Description, &it.PurposeCode, &it.PurposeName, &it.AddedYear, &it.RemovedYear, &it.Version)
		return it, err
	})
}

// ListItemInput is what a manager records of a list item.
type ListItemInput struct {
	Name        string
	Description string
	PurposeCode string
	AddedYear   *int
}

// AddListItem adds an item to the infrastructure list, audited.
func (s *Service) AddListItem(ctx context.Context, actor audit.Actor, in ListItemInput) (int64, error) {
	errs := &forms.Errors{}
	in.Name, in.Description, in.PurposeCode = strings.Join(strings.Fields(in.Name), " "), strings.TrimSpace(in.Description), strings.TrimSpace(in.PurposeCode)
	switch {
	case in.Name == "":
		errs.Add("name", "Enter the infrastructure project or type")
	case len([]rune(in.Name)) > 200:
		errs.Add("name", "Name must be 200 characters or fewer")
	}
	if len([]rune(in.Description)) > 2000 {
		errs.Add("description", "Description must be 2,000 characters or fewer")
	}
	if in.PurposeCode == "" {
		errs.Add("purpose", "Select the type of infrastructure")
	}
	if in.AddedYear == nil {
		if errs.Get("added_year") == "" {
			errs.Add("added_year", "Enter the financial year the item was added, for example 2025 for 2025 to 2026")
		}
	} else if !s.ValidYear(*in.AddedYear) {
		errs.Add("added_year", "The year added must be from "+strconv.Itoa(MinYear)+" to the current financial year")
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if in.PurposeCode != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contribution_purposes WHERE code = $1)`, in.PurposeCode).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				errs.Add("purpose", "Select a type of infrastructure from the list")
			}
		}
		if errs.Any() {
			return errs
		}
		if err := tx.QueryRow(ctx, `INSERT INTO infrastructure_list_items (name, description, purpose_code, added_year) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.Name, in.Description, in.PurposeCode, *in.AddedYear).Scan(&id); err != nil {
			return fmt.Errorf("add list item: %w", err)
		}
		return audit.Record(ctx, tx, actor, "infrastructure-list.add", "infrastructure-list-item", strconv.FormatInt(id, 10),
			"Added "+in.Name+" to the infrastructure list from "+fy.Year(*in.AddedYear).Label(), nil,
			map[string]any{"name": in.Name, "purpose": in.PurposeCode, "added": fy.Year(*in.AddedYear).Label(), "description": in.Description})
	})
	return id, err
}

// RemoveListItem takes an item off the list from year, audited; version
// is the one the manager saw (store.ErrConflict when it changed).
func (s *Service) RemoveListItem(ctx context.Context, actor audit.Actor, id int64, version, year int) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var name string
		var added int
		var removed *int
		err := tx.QueryRow(ctx, `SELECT name, added_year, removed_year FROM infrastructure_list_items WHERE id = $1 FOR UPDATE`, id).Scan(&name, &added, &removed)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		errs := &forms.Errors{}
		switch {
		case removed != nil:
			errs.Add("removed_year", name+" was already removed from "+fy.Year(*removed).Label())
		case year <= added || !s.ValidYear(year):
			errs.Add("removed_year", "The year removed must be after the year added ("+fy.Year(added).Label()+") and not after the current financial year")
		}
		if errs.Any() {
			return errs
		}
		tag, err := tx.Exec(ctx, `UPDATE infrastructure_list_items SET removed_year = $3, updated_at = now(), version = version + 1 WHERE id = $1 AND version = $2`, id, version, year)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		return audit.Record(ctx, tx, actor, "infrastructure-list.remove", "infrastructure-list-item", strconv.FormatInt(id, 10),
			"Removed "+name+" from the infrastructure list from "+fy.Year(year).Label(), map[string]any{"removed": ""}, map[string]any{"removed": fy.Year(year).Label()})
	})
}
