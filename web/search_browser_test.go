package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/users"
)

// searchFor types a search into the page's search box, submits its form and
// returns the text of the page outside its forms: the results.
func searchFor(t *testing.T, ctx context.Context, page, term string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), term)); err != nil {
		t.Fatalf("%s: search box: %v", page, err)
	}
	clickTo(t, ctx, `main form:has(#q) button[type=submit]`)
	checkReflow(t, ctx, page+" searched for "+term, false)
	// The results, not the filters: a filter's options list every
	// development, matching or not.
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const main = document.querySelector("main").cloneNode(true);
		main.querySelectorAll("form").forEach(f => f.remove());
		return main.innerText;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestSearchFindsWelshNamesWithoutTheirAccentsOnOfficerAndPublicPages types
// what people type ("wyn", "maes") into the search boxes of the officer's
// and the public's lists, on a phone, and finds "Ŵyn" and "Maes".
func TestSearchFindsWelshNamesWithoutTheirAccentsOnOfficerAndPublicPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	for sql, args := range map[string][]any{
		`UPDATE developments SET name = 'Tŷ Ŵyn', address = '2 Heol Ŵyn, Ashford' WHERE id = $1`: {f.MillLane},
		`UPDATE developments SET name = 'Maes y Coed' WHERE id = $1`:                             {f.Quarry},
	} {
		if _, err := app.DB.Pool.Exec(t.Context(), sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	appFixture(t, app).Home(f.MillLane, fixture.Home{Plot: "P1", Address: "7 Lôn Ŵyn"})
	ts := newTestServer(t, app)

	t.Run("officer", func(t *testing.T) {
		ctx := officerTab(t, ts, "officer@test.example")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ page, term, want, not string }{
			{"/developments", "wyn", "Tŷ Ŵyn", "Maes y Coed"},
			{"/developments", "maes", "Maes y Coed", "Tŷ Ŵyn"},
			{"/developments", "MAES", "Maes y Coed", "Tŷ Ŵyn"},
			{"/agreements", "wyn", "Tŷ Ŵyn", "Maes y Coed"},
			{"/homes", "lon wyn", "7 Lôn Ŵyn", "Maes y Coed"},
		} {
			text := searchFor(t, ctx, ts.URL+c.page, c.term)
			if !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
				t.Errorf("%s searched for %q: want %q and not %q in\n%s", c.page, c.term, c.want, c.not, text)
			}
		}
		browsertest.CheckAccessibility(t, ctx, "search results")
	})

	t.Run("public", func(t *testing.T) {
		ctx := browsertest.New(t)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ term, want, not string }{
			{"wyn", "Tŷ Ŵyn", "Maes y Coed"},
			{"maes", "Maes y Coed", "Tŷ Ŵyn"},
		} {
			text := searchFor(t, ctx, ts.URL+"/public/developments", c.term)
			if !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
				t.Errorf("the public search for %q: want %q and not %q in\n%s", c.term, c.want, c.not, text)
			}
		}
		browsertest.CheckAccessibility(t, ctx, "public search results")
	})
}
