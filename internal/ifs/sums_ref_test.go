package ifs

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// The statement's sums as the build added them up in Go before the
// database did (moneySums): every obligation and project pair's sums
// (moneyGroup, read from scratch by moneyGroupsFromScratch) folded with
// every obligation's facts (obligationInfo). The tests compare moneySums
// with it.

// moneyGroup is the standing entries of one obligation (and project, for
// allocations and spend) summed in whole pence over the dates the
// statement needs: before the year (…b) and by its end (…e).
// Allocations count by the date they were decided (ab, ae); earmarked is
// what was set against the project by the year end without a decision by
// then.
type moneyGroup struct {
	obligationID                   int64
	projectID                      int64 // 0: none (receipts, returns, invoices)
	rb, re, sb, se, tb, te, ab, ae int64
	earmarked                      int64
	transferredYear                int64 // spend in the year that was a transfer to another body
	interestYear, invoiced         int64
}

type obligationFacts struct {
	purpose, purposeName    string
	monitoring, maintenance bool
	s106                    bool // under a section 106 agreement (not a section 278 highway agreement)
}

// obligationInfo reads what the statement needs of every obligation.
func obligationInfo(ctx context.Context, q store.Querier) (map[int64]obligationFacts, error) {
	rows, err := q.Query(ctx, `
		SELECT o.id, o.purpose_code, pu.name, o.kind = 'monitoring-fee' OR o.purpose_code = 'monitoring-fees', o.maintenance_sum,
		       a.agreement_type <> 'section-278'
		FROM obligations o
		JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code`)
	if err != nil {
		return nil, fmt.Errorf("ifs obligations: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]obligationFacts, 1<<14)
	for rows.Next() {
		var id int64
		var f obligationFacts
		if err := rows.Scan(&id, &f.purpose, &f.purposeName, &f.monitoring, &f.maintenance, &f.s106); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}

// foldGroups adds the groups up as the statement did in Go.
func foldGroups(groups []moneyGroup, obligations map[int64]obligationFacts) yearSums {
	type obSums struct {
		id                         int64
		rb, re, sb, se, tb, te, ae int64
	}
	var perOb []obSums
	out := yearSums{projects: map[int64]projectSums{}}
	for i := range groups {
		g := &groups[i]
		info := obligations[g.obligationID]
		if g.projectID != 0 {
			p := out.projects[g.projectID]
			p.allocated += g.ae
			p.earmarked += g.earmarked
			p.spent += g.se
			if info.s106 && !info.monitoring {
				ay := g.ae - g.ab
				unspent := g.ae - g.se
				p.ofYear += max(0, min(ay, unspent))
				p.unspent += max(0, unspent)
				p.spentYear += g.se - g.sb
			}
			out.projects[g.projectID] = p
		}
		if !info.s106 {
			out.s278Received += g.re - g.rb
			out.s278Spent += g.se - g.sb
			continue
		}
		if len(perOb) == 0 || perOb[len(perOb)-1].id != g.obligationID {
			perOb = append(perOb, obSums{id: g.obligationID})
		}
		o := &perOb[len(perOb)-1]
		o.rb, o.re = o.rb+g.rb, o.re+g.re
		o.sb, o.se = o.sb+g.sb, o.se+g.se
		o.tb, o.te = o.tb+g.tb, o.te+g.te
		o.ae += g.ae
		out.interest += g.interestYear
		out.transferred += g.transferredYear
	}
	recon := map[string]*reconSums{}
	for i := range perOb {
		o := &perOb[i]
		info := obligations[o.id]
		heldStart := o.rb - o.sb - o.tb
		heldEnd := o.re - o.se - o.te
		if o.re == 0 && o.se == 0 && o.te == 0 {
			continue
		}
		if heldStart < 0 || heldEnd < 0 {
			out.offenders = append(out.offenders, o.id)
		}
		r := recon[info.purpose]
		if r == nil {
			r = &reconSums{purpose: info.purpose, purposeName: info.purposeName}
			recon[info.purpose] = r
		}
		r.start += max(0, heldStart)
		r.received += o.re - o.rb
		r.spent += o.se - o.sb
		r.returned += o.te - o.tb
		r.end += max(0, heldEnd)
		out.c += max(0, o.rb-o.ae-o.te)
		if info.maintenance {
			out.iCommuted += max(0, heldEnd)
		}
		if info.monitoring {
			out.hiii += o.se - o.sb
		}
	}
	if len(out.offenders) > 200 {
		out.offenders = out.offenders[:200]
	}
	for _, r := range recon {
		out.recon = append(out.recon, *r)
	}
	return out
}

// sortedSums orders what is in no order, for comparing.
func sortedSums(s yearSums) yearSums {
	sort.Slice(s.recon, func(i, j int) bool { return s.recon[i].purpose < s.recon[j].purpose })
	return s
}

// TestStatementSumsEqualTheLedgerOnGeneratedCouncils: on generated
// councils of two seeds, the statement's
// sums added up in the database from the kept totals (moneySums) equal,
// for every year, the standing entries read from scratch and added up as
// the statement did in Go, project by project and purpose by purpose.
func TestStatementSumsEqualTheLedgerOnGeneratedCouncils(t *testing.T) {
	// Fixed seeds: a random one (224258) once made a levy the generator
	// itself refuses, which failed the suite for a reason not the
	// statement's.
	for _, seedNo := range []uint64{19, 106} {
		t.Run(fmt.Sprint(seedNo), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// The bulk load needs replica mode (a superuser's).
			db := testdb.NewAs(t, testdb.Super)
			if _, err := seed.Large(ctx, db, seed.LargeOptions{Scale: 0.02, Seed: seedNo}); err != nil {
				t.Fatal(err)
			}
			checked := 0
			for year := 2008; year <= 2026; year++ {
				kept, scratch := sumsBothWays(t, db, year)
				if !reflect.DeepEqual(kept, scratch) {
					t.Fatalf("seed %d, %d: the sums from the kept totals differ from the ledger's:\n kept:    %+v\n scratch: %+v", seedNo, year, kept, scratch)
				}
				checked += len(kept.projects)
			}
			if checked == 0 {
				t.Fatalf("seed %d: no project had money in any year: nothing was compared", seedNo)
			}
		})
	}
}
