package web

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/homes"
)

func TestAPINamesAndValuesFollowOneRule(t *testing.T) {
	for in, want := range map[string]string{"ID": "id", "ApplicationIDs": "application_ids", "UPRN": "uprn", "OpenSpaceM2": "open_space_m2",
		"DevelopmentName": "development_name", "DeedURL": "deed_url", "RAG": "rag", "FloorAreaM2": "floor_area_m2"} {
		if got := apiName(in); got != want {
			t.Errorf("apiName(%q) = %q, want %q", in, got, want)
		}
	}
	signed := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	amount := decimal.RequireFromString("287500.10")
	var got map[string]any
	if err := json.Unmarshal(apiValue(agreements.Obligation{ID: 7, BaseAmount: &amount, TriggerDate: &signed, CreatedAt: signed.Add(90 * time.Minute),
		Description: "Pay <£5,000> & \"more\"\n\x01"}), &got); err != nil {
		t.Fatal(err)
	}
	if got["description"] != "Pay <£5,000> & \"more\"\n\x01" {
		t.Errorf("description: %q", got["description"])
	}
	if got["id"] != float64(7) || got["base_amount"] != "287500.1" || got["trigger_date"] != "2024-03-01" || got["created_at"] != "2024-03-01T01:30:00Z" ||
		got["trigger_quantity"] != nil {
		t.Errorf("obligation as sent: %v", got)
	}
	// Every field sent is in the schema, and nothing else.
	c := newAPISchemas()
	c.ref(reflect.TypeFor[agreements.Obligation]())
	props := c.m["Obligation"].(map[string]any)["properties"].(map[string]any)
	if len(props) != len(got) {
		t.Errorf("the schema has %d properties, the value %d", len(props), len(got))
	}
	for k := range got {
		if props[k] == nil {
			t.Errorf("%s is sent but not in the schema", k)
		}
	}
}

// BenchmarkAPIEncodeHomesPage is the API's own cost for a page of 50
// homes: turning them into JSON by the naming rules.
func BenchmarkAPIEncodeHomesPage(b *testing.B) {
	page := make([]homes.Home, 50)
	for i := range page {
		page[i] = homes.Home{ID: int64(i), Plot: "12", Address: "12 Canal Street", UPRN: "100000000012", Bedrooms: 2, CreatedAt: time.Now()}
	}
	for b.Loop() {
		if !json.Valid(apiValue(page)) {
			b.Fatal("not JSON")
		}
	}
}
