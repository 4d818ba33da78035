package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

// TestScreenshots regenerates docs/screenshots/ (make screenshots): the
// dashboard, an obligation, the deadlines, the Infrastructure Funding
// Statement and the public overview of the demo council, at 320 and 1280
// CSS px. It runs only when S106_SCREENSHOT_DIR names the directory; each
// page is checked for reflow and accessibility on the way, so a screenshot
// never shows a page the suite would fail.
func TestScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("S106_SCREENSHOT_DIR")
	if dir == "" {
		t.Skip("S106_SCREENSHOT_DIR is not set: run make screenshots")
	}
	app := newTestApp(t)
	world := loadWalkWorld(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, string(users.RoleManager)+"@test.example")
	pages := []struct{ name, path string }{
		{"dashboard", "/dashboard"},
		{"obligation", fmt.Sprintf("/obligations/%d", world.ids["obligation"])},
		{"deadlines", "/deadlines"},
		{"ifs", fmt.Sprintf("/ifs/%d", world.ids["year"])},
		{"public", "/public"},
	}
	for _, p := range pages {
		for _, width := range []int64{320, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(ts.URL+p.path)); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%s-%d", p.name, width)
			checkReflow(t, ctx, name, width > 320)
			browsertest.CheckAccessibility(t, ctx, name)
			browsertest.Screenshot(t, ctx, filepath.Join(dir, name+".png"))
		}
	}
}
