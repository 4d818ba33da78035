package homes

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

const providerColumns = `p.id, p.name, p.rsh_number, p.provider_type, p.company_number, p.contact_name, p.contact_email, p.contact_phone, p.archived_at, p.version`

func scanProvider(row pgx.Row, extra ...any) (Provider, error) {
	var p Provider
	dest := append([]any{&p.ID, &p.Name, &p.RSHNumber, &p.Type, &p.CompanyNumber, &p.ContactName, &p.ContactEmail, &p.ContactPhone, &p.ArchivedAt, &p.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Provider{}, store.ErrNotFound
		}
		return Provider{}, err
	}
	return p, nil
}

func providerByID(ctx context.Context, q store.Querier, id int64) (Provider, error) {
	return scanProvider(q.QueryRow(ctx, `SELECT `+providerColumns+` FROM registered_providers p WHERE p.id = $1`, id))
}

func insertProvider(ctx context.Context, q store.Querier, p Provider) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO registered_providers (name, rsh_number, contact_name, contact_email, contact_phone, provider_type, company_number)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.Name, p.RSHNumber, p.ContactName, p.ContactEmail, p.ContactPhone, p.Type, p.CompanyNumber).Scan(&id)
	return id, err
}

func updateProvider(ctx context.Context, q store.Querier, p Provider, version int) error {
	tag, err := q.Exec(ctx, `
		UPDATE registered_providers SET name = $3, rsh_number = $4, contact_name = $5, contact_email = $6, contact_phone = $7,
			provider_type = $8, company_number = $9, updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $2`,
		p.ID, version, p.Name, p.RSHNumber, p.ContactName, p.ContactEmail, p.ContactPhone, p.Type, p.CompanyNumber)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

// providerHolder finds another provider matching cond ($1 is the value,
// $2 the provider to ignore) and returns its name.
func providerHolder(ctx context.Context, q store.Querier, cond, value string, exceptID int64) (string, bool, error) {
	var holder string
	err := q.QueryRow(ctx, `SELECT name FROM registered_providers WHERE `+cond+` AND id <> $2`, value, exceptID).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("check registered provider: %w", err)
	}
	return holder, true, nil
}

func listProviders(ctx context.Context, q store.Querier) ([]ProviderRow, error) {
	// One pass over the homes for every provider's count, not one per
	// provider, through the current provider kept on each home (00016).
	rows, err := q.Query(ctx, `SELECT `+providerColumns+`, coalesce(c.n, 0)
		FROM registered_providers p
		LEFT JOIN (SELECT h.list_provider_id AS id, count(*) AS n
		           FROM homes h
		           WHERE h.archived_at IS NULL AND h.list_provider_id IS NOT NULL GROUP BY 1) c ON c.id = p.id
		ORDER BY lower(p.name), p.id`)
	if err != nil {
		return nil, fmt.Errorf("list registered providers: %w", err)
	}
	defer rows.Close()
	var out []ProviderRow
	for rows.Next() {
		var r ProviderRow
		if r.Provider, err = scanProvider(rows, &r.Homes); err != nil {
			return nil, fmt.Errorf("list registered providers: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// providerOptions lists providers without counting their homes, for
// drop-down lists.
func providerOptions(ctx context.Context, q store.Querier) ([]ProviderRow, error) {
	rows, err := q.Query(ctx, `SELECT `+providerColumns+` FROM registered_providers p ORDER BY lower(p.name), p.id`)
	if err != nil {
		return nil, fmt.Errorf("list registered providers: %w", err)
	}
	defer rows.Close()
	var out []ProviderRow
	for rows.Next() {
		var r ProviderRow
		if r.Provider, err = scanProvider(rows); err != nil {
			return nil, fmt.Errorf("list registered providers: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// providersByName maps each provider's lower-cased name to its id.
func providersByName(ctx context.Context, q store.Querier) (map[string]Provider, error) {
	rows, err := q.Query(ctx, `SELECT `+providerColumns+` FROM registered_providers p`)
	if err != nil {
		return nil, fmt.Errorf("read registered providers: %w", err)
	}
	defer rows.Close()
	out := map[string]Provider{}
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		out[lowerName(p.Name)] = p
	}
	return out, rows.Err()
}
