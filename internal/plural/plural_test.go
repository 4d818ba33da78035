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

func TestThousandsOfTheSmallestInt(t *testing.T) {
	if got := Thousands(math.MinInt64); got != "-9,223,372,036,854,775,808" {
		t.Errorf("Thousands(MinInt64) = %q", got)
	}
	if got := Thousands(-1234); got != "-1,234" {
		t.Errorf("Thousands(-1234) = %q", got)
	}
}
