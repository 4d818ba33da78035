package plural

import (
	"math"
	"testing"
)

func TestCountSaysOneAsSingularAndGroupsThousands(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 homes"}, {1, "1 home"}, {2, "2 homes"}, {999, "999 homes"}, {1000, "1,000 homes"}, {1234567, "1,234,567 homes"}, {-1, "-1 homes"}, {-1500, "-1,500 homes"}} {
		if got := Count(c.n, "home", "homes"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if Of(1, "company", "companies") != "company" || Of(3, "company", "companies") != "companies" {
		t.Error("Of chose the wrong word")
	}
}

// The smallest int has no positive twin: negating it overflowed, and
// Thousands recursed until the stack ran out (a form's "at least" message
// for an unbounded field printed it).
func TestThousandsGroupsEveryIntIncludingTheExtremes(t *testing.T) {
	for n, want := range map[int]string{
		-1234567:      "-1,234,567",
		-999:          "-999",
		math.MinInt64: "-9,223,372,036,854,775,808",
		math.MaxInt64: "9,223,372,036,854,775,807",
		0:             "0",
	} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
