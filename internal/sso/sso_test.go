package sso

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestGroupClaimsAreReadAsAListOrOneString(t *testing.T) {
	var claims map[string]json.RawMessage
	if err := json.Unmarshal([]byte(`{"roles":["S106.Officer"," ",""],"groups":"one-group","wids":42}`), &claims); err != nil {
		t.Fatal(err)
	}
	if got := stringsClaim(claims, "roles"); !slices.Equal(got, []string{"S106.Officer"}) {
		t.Errorf("roles = %q", got)
	}
	if got := stringsClaim(claims, "groups"); !slices.Equal(got, []string{"one-group"}) {
		t.Errorf("groups = %q", got)
	}
	if got := stringsClaim(claims, "wids"); got != nil {
		t.Errorf("a number claim = %q, want nothing", got)
	}
	if got := stringsClaim(claims, "missing"); got != nil {
		t.Errorf("missing = %q", got)
	}
}

func TestStateIsComparedWholeAndNeverMatchesEmpty(t *testing.T) {
	if SameState("", "") || SameState("abc", "") || SameState("ab", "abc") || !SameState("abc", "abc") {
		t.Error("SameState is wrong")
	}
}
