package alerts

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Rule is one alert rule and its admin-set thresholds.
type Rule struct {
	Code           string
	Name           string
	Description    string
	Unit           string // months, days, years, or "" for a rule without thresholds
	Thresholds     []int32
	Defaults       []int32
	EscalateMonths *int32
	Enabled        bool
	UpdatedAt      time.Time
	Version        int
}

// ThresholdText lists the thresholds, e.g. "18, 12, 6, 3 months".
func ThresholdText(ts []int32, unit string) string {
	if unit == "" {
		return "No threshold"
	}
	return JoinThresholds(ts) + " " + unit
}

// JoinThresholds writes thresholds as "18, 12, 6, 3".
func JoinThresholds(ts []int32) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.Itoa(int(t))
	}
	return strings.Join(parts, ", ")
}

// Rules lists every rule in order.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	return rules(ctx, s.DB.Pool, "")
}

func rules(ctx context.Context, q store.Querier, lock string) ([]Rule, error) {
	rows, err := q.Query(ctx, `
		SELECT code, name, description, unit, thresholds, defaults, escalate_months, enabled, updated_at, version
		FROM alert_rules WHERE `+cilRulesShown+` ORDER BY position`+lock)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Rule, error) {
		var r Rule
		err := row.Scan(&r.Code, &r.Name, &r.Description, &r.Unit, &r.Thresholds, &r.Defaults, &r.EscalateMonths, &r.Enabled, &r.UpdatedAt, &r.Version)
		return r, err
	})
}

// RuleInput is an admin's change to one rule, as typed.
type RuleInput struct {
	Code       string
	Thresholds string // "18, 12, 6, 3"
	Escalate   string // months, spend-by only
	Enabled    bool
	Version    int
}

// Field names used in validation errors, so the form can show each
// message next to its input.
func ThresholdsField(code string) string { return "thresholds-" + code }
func EscalateField(code string) string   { return "escalate-" + code }

// UpdateRules saves the admins' thresholds. Every rule must still be at the
// version the form was read at (else store.ErrConflict); invalid input is
// a *forms.Errors naming each field.
func (s *Service) UpdateRules(ctx context.Context, actor audit.Actor, in []RuleInput) error {
	return s.DB.InTx(ctx, func(tx pgx.Tx) error {
		current, err := rules(ctx, tx, " FOR UPDATE")
		if err != nil {
			return err
		}
		errs := &forms.Errors{}
		type change struct {
			before, after Rule
		}
		var changes []change
		for _, r := range current {
			i := slices.IndexFunc(in, func(x RuleInput) bool { return x.Code == r.Code })
			if i < 0 {
				continue
			}
			x := in[i]
			if x.Version != r.Version {
				return store.ErrConflict
			}
			next := r
			next.Enabled = x.Enabled
			if r.Unit != "" {
				ts, msg := parseThresholds(x.Thresholds, r)
				if msg != "" {
					errs.Add(ThresholdsField(r.Code), msg)
				}
				next.Thresholds = ts
			}
			if r.EscalateMonths != nil {
				n, err := strconv.Atoi(strings.TrimSpace(x.Escalate))
				if err != nil || n < 0 || n > 120 {
					errs.Add(EscalateField(r.Code), "Escalate from must be a whole number of months from 0 to 120")
				} else {
					v := int32(n)
					next.EscalateMonths = &v
				}
			}
			if next.Enabled != r.Enabled || !slices.Equal(next.Thresholds, r.Thresholds) ||
				(r.EscalateMonths != nil && next.EscalateMonths != nil && *next.EscalateMonths != *r.EscalateMonths) {
				changes = append(changes, change{r, next})
			}
		}
		if errs.Any() {
			return errs
		}
		for _, c := range changes {
			if _, err := tx.Exec(ctx, `
				UPDATE alert_rules SET thresholds = $2, escalate_months = $3, enabled = $4, updated_at = now(), version = version + 1
				WHERE code = $1`, c.after.Code, c.after.Thresholds, c.after.EscalateMonths, c.after.Enabled); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, "alert-rule.update", "alert-rule", c.after.Code, "Changed the alert rule "+c.after.Name,
				ruleAudit(c.before), ruleAudit(c.after)); err != nil {
				return err
			}
		}
		return nil
	})
}

func ruleAudit(r Rule) map[string]any {
	m := map[string]any{"enabled": r.Enabled}
	if r.Unit != "" {
		m["thresholds"] = ThresholdText(r.Thresholds, r.Unit)
	}
	if r.EscalateMonths != nil {
		m["escalate from (months)"] = int(*r.EscalateMonths)
	}
	return m
}

// parseThresholds reads "18, 12, 6, 3": whole numbers, no repeats, sorted
// largest first.
func parseThresholds(s string, r Rule) ([]int32, string) {
	var out []int32
	name := strings.ToLower(r.Name[:1]) + r.Name[1:]
	for _, f := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 1200 {
			return nil, "Thresholds for " + name + " must be whole numbers of " + r.Unit + ", separated by commas"
		}
		if slices.Contains(out, int32(n)) {
			return nil, "Thresholds for " + name + " must not repeat " + f
		}
		out = append(out, int32(n))
	}
	if len(out) == 0 {
		return nil, "Enter at least one threshold for " + name + " in " + r.Unit
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, ""
}
