package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/users"
)

// chartProblemsJS measures the charts as drawn: text smaller than 10 px on
// screen, and category labels whose boxes touch.
const chartProblemsJS = `(() => {
	const out = [];
	let seen = 0;
	for (const svg of document.querySelectorAll('svg.app-chart__svg')) {
		const r = svg.getBoundingClientRect();
		if (r.width === 0) continue; // the drawing for the other screen size
		seen++;
		const px = parseFloat(svg.getAttribute('font-size')) * r.width / svg.viewBox.baseVal.width;
		if (px < 10) out.push(svg.querySelector('title').textContent + ": text " + px.toFixed(1) + " px");
		const boxes = [...svg.querySelectorAll('text.app-chart__category')].map(t => [t, t.getBoundingClientRect()]);
		for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
			const [a, ra] = boxes[i], [b, rb] = boxes[j];
			if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom)
				out.push(svg.querySelector('title').textContent + ": «" + a.textContent + "» overlaps «" + b.textContent + "»");
		}
		for (const [t, b] of boxes) if (b.left < r.left - 0.5 || b.right > r.right + 0.5) out.push(svg.querySelector("title").textContent + ": «" + t.textContent + "» runs off the chart (" + Math.round(b.left - r.left) + " to " + Math.round(b.right - r.left) + " of " + Math.round(r.width) + " px)");
	}
	if (seen === 0) out.push("no chart on the page");
	return out.slice(0, 6).join("; ");
})()`

// TestChartsAreLegibleOnAPhoneAndTheirLabelsNeverOverlap: at 320 px the
// charts' text was about 4 px, and at 1280 px the purpose names under
// "Money received, by purpose" ran into each other.
func TestChartsAreLegibleOnAPhoneAndTheirLabelsNeverOverlap(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	loadWalkWorld(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, string(users.RoleManager)+"@test.example")
	for _, page := range []string{"/public", "/dashboard"} {
		for _, width := range []int64{320, 768, 1280} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(ts.URL+page)); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](chartProblemsJS))
			if err != nil {
				t.Fatal(err)
			}
			if got != "" {
				t.Errorf("%s at %d px: %s", page, width, got)
			}
			checkReflow(t, ctx, fmt.Sprintf("%s at %d px", page, width), width > 320)
		}
	}
}
