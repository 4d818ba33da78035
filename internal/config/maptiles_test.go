package config

import (
	"strings"
	"testing"
)

func TestMapTilesAreOffByDefaultAndNeedATemplateAndAttribution(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://localhost/s106"}
	if c, err := load(env(base)); err != nil || c.MapTilesURL != "" {
		t.Fatalf("unset: %q %v", c.MapTilesURL, err)
	}
	base["S106_MAP_TILES_URL"] = "https://tiles.example/{z}/{x}.png"
	base["S106_MAP_TILES_ATTRIBUTION"] = "© OpenStreetMap contributors"
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_MAP_TILES_URL") {
		t.Errorf("no {y}: error %v", err)
	}
	base["S106_MAP_TILES_URL"] = "https://tiles.example/{z}/{x}/{y}.png"
	delete(base, "S106_MAP_TILES_ATTRIBUTION")
	if _, err := load(env(base)); err == nil || !strings.Contains(err.Error(), "S106_MAP_TILES_ATTRIBUTION") {
		t.Errorf("no attribution: error %v", err)
	}
	base["S106_MAP_TILES_ATTRIBUTION"] = "© OpenStreetMap contributors"
	c, err := load(env(base))
	if err != nil || c.MapTilesURL != base["S106_MAP_TILES_URL"] || c.MapTilesAttribution != "© OpenStreetMap contributors" {
		t.Errorf("set: %+v %v", c, err)
	}
}
