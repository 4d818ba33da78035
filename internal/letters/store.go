package letters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/documents"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Settings are the council's letterhead.
type Settings struct {
	CouncilName    string
	Address        string // one line per line of the address
	SignatoryName  string
	SignatoryTitle string
	LogoSHA256     []byte // nil: no logo
	Version        int
}

// maxLogoBytes bounds the logo read into memory for each letter.
const maxLogoBytes = 2 << 20

// Settings reads the letterhead; the council's name falls back to the
// service's setting.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.DB.Pool.QueryRow(ctx, `SELECT council_name, address, signatory_name, signatory_title, logo_sha256, version FROM letter_settings WHERE id = 1`).
		Scan(&st.CouncilName, &st.Address, &st.SignatoryName, &st.SignatoryTitle, &st.LogoSHA256, &st.Version)
	if err != nil {
		return st, fmt.Errorf("read letter settings: %w", err)
	}
	if st.CouncilName == "" {
		st.CouncilName = s.CouncilName
	}
	return st, nil
}

// SettingsInput is the letterhead an admin saves; Logo, when given,
// replaces the logo and RemoveLogo takes it away.
type SettingsInput struct {
	CouncilName, Address, SignatoryName, SignatoryTitle string
	Logo                                                *documents.Upload
	RemoveLogo                                          bool
	Version                                             int
}

// SaveSettings changes the letterhead, refusing a stale edit.
func (s *Service) SaveSettings(ctx context.Context, actor audit.Actor, in SettingsInput) error {
	errs := &forms.Errors{}
	in.CouncilName, in.Address = strings.TrimSpace(in.CouncilName), strings.TrimSpace(in.Address)
	in.SignatoryName, in.SignatoryTitle = strings.TrimSpace(in.SignatoryName), strings.TrimSpace(in.SignatoryTitle)
	if in.CouncilName == "" {
		errs.Add("council_name", "Enter the council's name as it heads its letters")
	}
	if in.SignatoryName == "" {
		errs.Add("signatory_name", "Enter the name of the person who signs the letters")
	}
	if len(strings.Split(in.Address, "\n")) > 8 {
		errs.Add("address", "The address must be 8 lines or fewer")
	}
	var logo []byte
	if in.Logo != nil && !errs.Any() {
		sum, err := s.Documents.StoreImage(ctx, "logo", *in.Logo)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
		logo = sum
	}
	if errs.Any() {
		return errs
	}
	before, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		keep := logo == nil && !in.RemoveLogo
		tag, err := tx.Exec(ctx, `UPDATE letter_settings SET council_name = $1, address = $2, signatory_name = $3, signatory_title = $4,
			logo_sha256 = CASE WHEN $5 THEN logo_sha256 ELSE $6 END, version = version + 1, updated_at = now()
			WHERE id = 1 AND version = $7`, in.CouncilName, strings.ReplaceAll(in.Address, "\r\n", "\n"), in.SignatoryName, in.SignatoryTitle, keep, logo, in.Version)
		if err != nil {
			return fmt.Errorf("save letter settings: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		view := func(name, addr, sig, title string, hasLogo bool) map[string]any {
			return map[string]any{"council name": name, "address": addr, "signatory": sig, "signatory title": title, "logo": hasLogo}
		}
		return audit.Record(ctx, tx, actor, "letters.settings", "letter-settings", "1", "Changed the letterhead",
			view(before.CouncilName, before.Address, before.SignatoryName, before.SignatoryTitle, before.LogoSHA256 != nil),
			view(in.CouncilName, in.Address, in.SignatoryName, in.SignatoryTitle, logo != nil || (keep && before.LogoSHA256 != nil)))
	})
}

// logo reads the letterhead's logo, if any.
func (s *Service) logo(ctx context.Context, st Settings) ([]byte, error) {
	if st.LogoSHA256 == nil {
		return nil, nil
	}
	return s.Documents.ReadSmall(ctx, st.LogoSHA256, maxLogoBytes)
}

// CurrentTemplate is the wording in use for a kind: its latest edit, or
// the built-in wording.
func (s *Service) CurrentTemplate(ctx context.Context, kind Kind) (Template, error) {
	t := Template{Kind: kind}
	err := s.DB.Pool.QueryRow(ctx, `SELECT version_no, subject, body FROM letter_templates WHERE kind = $1 ORDER BY version_no DESC LIMIT 1`, kind).
		Scan(&t.Version, &t.Subject, &t.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return Defaults[kind], nil
	}
	return t, err
}

// TemplateVersion is one saved wording of a kind.
type TemplateVersion struct {
	Template
	CreatedBy string
	CreatedAt time.Time
}

// TemplateHistory lists a kind's saved wordings, newest first.
func (s *Service) TemplateHistory(ctx context.Context, kind Kind) ([]TemplateVersion, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT t.version_no, t.subject, t.body, coalesce(u.name, ''), t.created_at
		FROM letter_templates t LEFT JOIN users u ON u.id = t.created_by WHERE t.kind = $1 ORDER BY t.version_no DESC`, kind)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TemplateVersion, error) {
		v := TemplateVersion{Template: Template{Kind: kind}}
		return v, r.Scan(&v.Version, &v.Subject, &v.Body, &v.CreatedBy, &v.CreatedAt)
	})
}

// SaveTemplate checks and saves a new version of a kind's wording. base
// is the version the admin edited: a newer one saved meanwhile is a
// conflict.
func (s *Service) SaveTemplate(ctx context.Context, actor audit.Actor, t Template, base int) (Template, error) {
	if problems := t.Check(); len(problems) > 0 {
		errs := &forms.Errors{}
		for _, p := range problems {
			errs.Add(p.Field, p.Msg)
		}
		return t, errs
	}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version_no), 0) FROM letter_templates WHERE kind = $1`, t.Kind).Scan(&current); err != nil {
			return err
		}
		if current != base {
			return store.ErrConflict
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		t.Version = current + 1
		if _, err := tx.Exec(ctx, `INSERT INTO letter_templates (kind, version_no, subject, body, created_by) VALUES ($1, $2, $3, $4, $5)`,
			t.Kind, t.Version, t.Subject, t.Body, by); err != nil {
			if store.IsUniqueViolation(err, "letter_templates_pkey") {
				return store.ErrConflict
			}
			return fmt.Errorf("save letter wording: %w", err)
		}
		prev := Defaults[t.Kind]
		if current > 0 {
			if err := tx.QueryRow(ctx, `SELECT subject, body FROM letter_templates WHERE kind = $1 AND version_no = $2`, t.Kind, current).Scan(&prev.Subject, &prev.Body); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, "letters.template", "letter-template", string(t.Kind),
			fmt.Sprintf("Changed the wording of the %s (version %d)", strings.ToLower(t.Kind.Label()), t.Version),
			map[string]any{"subject": prev.Subject, "body": prev.Body}, map[string]any{"subject": t.Subject, "body": t.Body})
	})
	return t, err
}
