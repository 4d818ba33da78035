package seed

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/testdb"
)

// The load computes the kept totals step by step, two at a time, rather
// than by calling refresh_all_derived_totals(): its steps must be that
// function's statements, every one (a kept table added to the function
// and not to the load would be left empty), bar those it leaves out on
// purpose.
func TestKeptStepsAreRefreshAllDerivedTotals(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var body string
	if err := db.Pool.QueryRow(context.Background(),
		`SELECT prosrc FROM pg_proc WHERE proname = 'refresh_all_derived_totals'`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	norm := func(sql string) []string {
		var out []string
		for _, st := range strings.Split(sql, ";") {
			st = strings.Join(strings.Fields(st), " ")
			st = strings.TrimPrefix(st, "BEGIN ")
			st = strings.TrimSuffix(strings.TrimSuffix(st, " END"), "END")
			st = regexp.MustCompile(`^PERFORM `).ReplaceAllString(st, "SELECT ")
			if st != "" && st != "BEGIN" {
				out = append(out, st)
			}
		}
		return out
	}
	want := norm(body)
	var got []string
	for _, k := range keptSteps {
		got = append(got, norm(k.sql)...)
	}
	for _, s := range keptStepsLeftOut {
		got = append(got, norm(s)...)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the load's kept steps differ from refresh_all_derived_totals():\nload:     %q\nfunction: %q", got, want)
	}
}

// The plan runs each step after those it waits for, at most as many on
// connections at once as there are connections.
func TestLoadPlanRunsStepsAfterThoseTheyWaitFor(t *testing.T) {
	var stats LargeStats
	p := &loadPlan{}
	var order []string
	ch := make(chan string, 10)
	step := func(name string, after ...string) {
		p.add(&loadTask{name: name, after: after, run: func(context.Context, *pgx.Conn) error {
			time.Sleep(time.Millisecond)
			ch <- name
			return nil
		}})
	}
	step("c", "a", "b")
	step("a")
	step("b", "a")
	if err := p.run(context.Background(), nil, &stats, time.Now()); err != nil {
		t.Fatal(err)
	}
	close(ch)
	for n := range ch {
		order = append(order, n)
	}
	if !slices.Equal(order, []string{"a", "b", "c"}) {
		t.Fatalf("ran %v, want a, b, c", order)
	}
	if len(stats.Phases) != 3 || stats.Phases[0].Name != "c" || !slices.Equal(stats.Phases[0].After, []int{1, 2}) {
		t.Fatalf("phases %+v", stats.Phases)
	}
	bad := &loadPlan{}
	bad.add(&loadTask{name: "x", after: []string{"y"}, run: func(context.Context, *pgx.Conn) error { return nil }})
	bad.add(&loadTask{name: "y", after: []string{"x"}, run: func(context.Context, *pgx.Conn) error { return nil }})
	if err := bad.run(context.Background(), nil, &stats, time.Now()); err == nil {
		t.Fatal("steps waiting on each other: no error")
	}
}

// A small step late in the plan that an early step waits for goes before
// the steps between them (the levy waited for its empty totals behind
// every index build).
func TestLoadPlanRunsFirstWhatAnEarlyStepWaitsFor(t *testing.T) {
	var stats LargeStats
	p := &loadPlan{}
	var order []string
	step := func(name string, after ...string) {
		p.add(&loadTask{name: name, after: after, conn: true, run: func(context.Context, *pgx.Conn) error {
			order = append(order, name) // one connection: one step at a time
			return nil
		}})
	}
	step("a")
	step("b", "s")
	step("c")
	step("s")
	if err := p.run(context.Background(), []*pgx.Conn{nil}, &stats, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"a", "s", "b", "c"}) {
		t.Fatalf("ran %v, want a, s, b, c", order)
	}
}
