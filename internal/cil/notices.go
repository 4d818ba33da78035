package cil

import (
	"context"

	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Notices is the levy's notices and liability: parties and assumption of
// liability (parties.go), commencement (commencement.go), instalment
// policies (policies.go), demand notices (demands.go), reliefs
// (reliefs.go), surcharges and late payment interest (charges.go,
// interest.go).
type Notices struct {
	DB  *store.DB
	Now func() time.Time
}

// today is the council's calendar day.
func (s *Notices) today() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	y, m, d := now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// wrap adds context to an error but leaves validation errors, conflicts
// and missing records recognisable to handlers.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var verrs *forms.Errors
	if errors.As(err, &verrs) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

func decodeRules(s string) ([]PolicyRule, error) {
	var raw []struct {
		UpTo  *decimal.Decimal `json:"up_to"`
		Seq   int              `json:"seq"`
		Share decimal.Decimal  `json:"share"`
		Days  int              `json:"days"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	out := make([]PolicyRule, len(raw))
	for i, r := range raw {
		out[i] = PolicyRule{UpTo: r.UpTo, Seq: r.Seq, Share: r.Share, DaysAfter: r.Days}
	}
	return out, nil
}

// fmtDate is a date as notices print it.
func fmtDate(t time.Time) string { return t.Format("2 January 2006") }

// Development reads one chargeable development (GetDevelopment).
func (s *Notices) Development(ctx context.Context, id int64) (Development, error) {
	return GetDevelopment(ctx, s.DB.Pool, id)
}
