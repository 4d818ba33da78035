package cil

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/parse"
	"github.com/s106monitor/s106/internal/store"
)

// The charging authority's instalment policy. Regulation 69B's own text
// could not be retrieved from legislation.gov.uk in the stored material;
// councils summarise it (City of York Council, decision 77289) as: the
// policy must include "the date on which it takes effect ...; the number of
// instalment payments; the amount or proportion of CIL payable in any
// instalments; the time that the first, and any subsequent, instalment
// payments are due", and those times run from commencement. A policy here
// is a set of bands of chargeable amount, each with its instalments as a
// share of the amount due a number of days after commencement.

// Policy is an instalment policy and its bands.
type Policy struct {
	ID          int64
	Authority   Authority
	Name        string
	TakesEffect time.Time
	Version     int
	Rules       []PolicyRule
}

// PolicyRule is one instalment of one band: amounts up to and including
// UpTo (nil: any amount above the other bands) pay Share of the amount
// DaysAfter days after commencement.
type PolicyRule struct {
	UpTo      *decimal.Decimal
	Seq       int
	Share     decimal.Decimal // a fraction: 0.25 is 25%
	DaysAfter int
}

// Band is one band's rules, in order of payment.
type Band struct {
	UpTo  *decimal.Decimal
	Rules []PolicyRule
}

// Bands groups the rules by band, lowest band first, the open band last.
func (p Policy) Bands() []Band {
	var bands []Band
	for _, r := range p.Rules {
		i := -1
		for j, b := range bands {
			if sameLimit(b.UpTo, r.UpTo) {
				i = j
			}
		}
		if i < 0 {
			bands = append(bands, Band{UpTo: r.UpTo})
			i = len(bands) - 1
		}
		bands[i].Rules = append(bands[i].Rules, r)
	}
	sort.SliceStable(bands, func(i, j int) bool {
		a, b := bands[i].UpTo, bands[j].UpTo
		if a == nil || b == nil {
			return b == nil && a != nil
		}
		return a.LessThan(*b)
	})
	for _, b := range bands {
		sort.SliceStable(b.Rules, func(i, j int) bool { return b.Rules[i].Seq < b.Rules[j].Seq })
	}
	return bands
}

func sameLimit(a, b *decimal.Decimal) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// BandFor is the band an amount falls in: the lowest whose limit is at
// least the amount, else the open band.
func (p Policy) BandFor(amount decimal.Decimal) (Band, bool) {
	for _, b := range p.Bands() {
		if b.UpTo == nil || amount.LessThanOrEqual(*b.UpTo) {
			return b, true
		}
	}
	return Band{}, false
}

// ScheduledInstalment is one instalment a demand notice states.
type ScheduledInstalment struct {
	Seq    int
	Kind   string // levy, surcharge or interest
	Due    time.Time
	Amount decimal.Decimal
}

// Schedule splits amount into the policy's instalments for its band, due
// the band's days after commencement. Each share is rounded to the penny
// and the last instalment takes the pennies left, so they sum to amount.
func (p Policy) Schedule(amount decimal.Decimal, commencement time.Time) ([]ScheduledInstalment, error) {
	band, ok := p.BandFor(amount)
	if !ok {
		return nil, fmt.Errorf("instalment policy %q has no band for %s", p.Name, amount.StringFixed(2))
	}
	var out []ScheduledInstalment
	left := amount
	for i, r := range band.Rules {
		part := amount.Mul(r.Share).Round(2)
		if i == len(band.Rules)-1 {
			part = left
		}
		left = left.Sub(part)
		if !part.IsPositive() {
			continue
		}
		out = append(out, ScheduledInstalment{Seq: len(out) + 1, Kind: "levy", Due: commencement.AddDate(0, 0, r.DaysAfter), Amount: part})
	}
	return out, nil
}

// PolicyInput is the policy form: its rules typed one instalment a line
// as "band limit, per cent, days after commencement", the limit "any" for
// the band above the others.
type PolicyInput struct {
	Authority   string
	Name        string
	TakesEffect *time.Time
	Rules       string
}

// PolicyFields lists the policy form's fields in page order.
var PolicyFields = []string{"authority", "name", "takes_effect", "rules"}

// ParseRules reads the rules text; errors name the line.
func ParseRules(text string) ([]PolicyRule, error) {
	var rules []PolicyRule
	seq := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %d must be a band limit, a per cent and a number of days, separated by commas, like 75000, 25, 60", n+1)
		}
		var r PolicyRule
		limit := strings.TrimSpace(parts[0])
		if !strings.EqualFold(limit, "any") {
			v, err := parse.Money(limit)
			if err != nil || !v.IsPositive() {
				return nil, fmt.Errorf("line %d: the band limit must be an amount in pounds, like 75000, or the word any", n+1)
			}
			r.UpTo = &v
		}
		pct, err := decimal.NewFromString(strings.TrimSuffix(strings.TrimSpace(parts[1]), "%"))
		if err != nil || !pct.IsPositive() || pct.GreaterThan(decimal.NewFromInt(100)) {
			return nil, fmt.Errorf("line %d: the per cent must be a number more than 0 and up to 100", n+1)
		}
		if !pct.Equal(pct.Round(2)) {
			return nil, fmt.Errorf("line %d: the per cent may have at most two decimal places, like 33.33", n+1)
		}
		r.Share = pct.Div(decimal.NewFromInt(100))
		days, err := strconv.Atoi(strings.TrimSpace(parts[2]))
		if err != nil || days < 0 || days > 3650 {
			return nil, fmt.Errorf("line %d: the days after commencement must be a whole number from 0 to 3650", n+1)
		}
		r.DaysAfter = days
		key := "any"
		if r.UpTo != nil {
			key = r.UpTo.String()
		}
		seq[key]++
		r.Seq = seq[key]
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("enter at least one instalment")
	}
	p := Policy{Rules: rules}
	hasOpen := false
	for _, b := range p.Bands() {
		sum := decimal.Zero
		for i, r := range b.Rules {
			sum = sum.Add(r.Share)
			if i > 0 && r.DaysAfter < b.Rules[i-1].DaysAfter {
				return nil, fmt.Errorf("the instalments of band %s must be listed in the order they fall due", bandLabel(b.UpTo))
			}
		}
		if !sum.Equal(decimal.NewFromInt(1)) {
			return nil, fmt.Errorf("the instalments of band %s add up to %s%%, not 100%%", bandLabel(b.UpTo), sum.Mul(decimal.NewFromInt(100)).String())
		}
		hasOpen = hasOpen || b.UpTo == nil
	}
	if !hasOpen {
		return nil, fmt.Errorf("add a band for any amount above the others (band limit any)")
	}
	return rules, nil
}

func bandLabel(upTo *decimal.Decimal) string {
	if upTo == nil {
		return "any"
	}
	return "up to £" + upTo.StringFixed(2)
}

// RulesText writes rules back as the form's text.
func RulesText(rules []PolicyRule) string {
	var b strings.Builder
	for _, band := range (Policy{Rules: rules}).Bands() {
		for _, r := range band.Rules {
			limit := "any"
			if r.UpTo != nil {
				limit = r.UpTo.String()
			}
			fmt.Fprintf(&b, "%s, %s, %d\n", limit, r.Share.Mul(decimal.NewFromInt(100)).String(), r.DaysAfter)
		}
	}
	return b.String()
}

// CreatePolicy records an instalment policy.
func (s *Notices) CreatePolicy(ctx context.Context, actor audit.Actor, in PolicyInput) (Policy, error) {
	errs := &forms.Errors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if in.Name == "" {
		errs.Add("name", "Enter the policy's name")
	}
	if in.Authority == "" {
		in.Authority = string(AuthorityCouncil)
	}
	if in.Authority != string(AuthorityCouncil) && in.Authority != string(AuthorityMayor) {
		errs.Add("authority", "Select the charging authority")
	}
	if in.TakesEffect == nil && errs.Get("takes_effect") == "" {
		errs.Add("takes_effect", "Enter the date the policy takes effect")
	}
	rules, err := ParseRules(in.Rules)
	if err != nil {
		errs.Add("rules", capitalise(err.Error()))
	}
	if errs.Any() {
		return Policy{}, errs
	}
	p := Policy{Authority: Authority(in.Authority), Name: in.Name, TakesEffect: *in.TakesEffect, Rules: rules, Version: 1}
	err = s.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO cil_instalment_policies (charging_authority, name, takes_effect) VALUES ($1, $2, $3) RETURNING id`,
			p.Authority, p.Name, p.TakesEffect).Scan(&p.ID)
		if store.IsUniqueViolation(err, "cil_instalment_policies_charging_authority_takes_effect_key") {
			errs.Add("takes_effect", "The "+p.Authority.Label()+" already has a policy taking effect on "+p.TakesEffect.Format("2 January 2006"))
			return errs
		} else if err != nil {
			return err
		}
		for _, r := range rules {
			if _, err := tx.Exec(ctx, `INSERT INTO cil_instalment_rules (policy_id, up_to, seq, share, days_after) VALUES ($1, $2, $3, $4, $5)`,
				p.ID, r.UpTo, r.Seq, r.Share, r.DaysAfter); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, "cil_instalment_policy.create", EntityPolicy, strconv.FormatInt(p.ID, 10),
			"Recorded instalment policy "+p.Name, nil, map[string]any{"name": p.Name, "authority": p.Authority.Label(),
				"takes effect": p.TakesEffect.Format("2006-01-02"), "instalments": RulesText(rules)})
	})
	return p, wrap("record instalment policy", err)
}

// Policies lists every instalment policy, newest first.
func (s *Notices) Policies(ctx context.Context) ([]Policy, error) {
	return policies(ctx, s.DB.Pool, "", nil)
}

func policies(ctx context.Context, q store.Querier, where string, args []any) ([]Policy, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.charging_authority, p.name, p.takes_effect, p.version,
		coalesce(json_agg(json_build_object('up_to', r.up_to, 'seq', r.seq, 'share', r.share, 'days', r.days_after)) FILTER (WHERE r.policy_id IS NOT NULL), '[]')::text
		FROM cil_instalment_policies p LEFT JOIN cil_instalment_rules r ON r.policy_id = p.id `+where+`
		GROUP BY p.id ORDER BY p.takes_effect DESC, p.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		var p Policy
		var rulesJSON string
		if err := rows.Scan(&p.ID, &p.Authority, &p.Name, &p.TakesEffect, &p.Version, &rulesJSON); err != nil {
			return nil, err
		}
		if p.Rules, err = decodeRules(rulesJSON); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PolicyInForce is the policy of authority in force on day: regulation
// 70(3)-(5) apply the instalment policy the authority "has issued ... on
// or before the commencement date stated in the commencement notice". A
// Mayoral notice follows the borough's policy where it has one (70(3):
// where A is "charged by both the Mayor of London and a London borough
// council" and the borough has a policy, "A is payable in accordance with
// that instalment policy"), else the Mayor's (70(4)).
func PolicyInForce(ctx context.Context, q store.Querier, authority Authority, day time.Time) (*Policy, error) {
	order := []Authority{AuthorityCouncil}
	if authority == AuthorityMayor {
		order = append(order, AuthorityMayor)
	}
	for _, a := range order {
		ps, err := policies(ctx, q, "WHERE p.charging_authority = $1 AND p.takes_effect <= $2", []any{a, day})
		if err != nil {
			return nil, err
		}
		if len(ps) > 0 {
			return &ps[0], nil
		}
	}
	return nil, nil
}
