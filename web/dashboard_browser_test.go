package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
)

func TestDashboardAndAtRiskReportAreAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	seedDashboard(t, app).seedDashboardHomes()
	ctx := officerTab(t, ts, "manager@test.example")

	visitAndCheck(t, ctx, ts.URL+"/dashboard", "dashboard")

	// The chart's accessible name and description come from its <title>
	// and <desc>, through aria-labelledby.
	name, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const svg = document.querySelector('svg[role="img"]');
		if (!svg) return '';
		return svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent.trim()).join(' | ');
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "Unspent money by spend-by deadline, May 2026 to April 2029 | £39,000.00 of unspent money falls due") {
		t.Errorf("the chart's accessible name and description: %q", name)
	}

	// The table alternative opens from its details element and is checked
	// by axe once visible.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.govuk-details summary")),
		chromedp.WaitVisible(chromedp.CSS("#deadline-timeline-table")),
	); err != nil {
		t.Fatal(err)
	}
	if rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#deadline-timeline-table tbody tr').length`)); rows != 36 {
		t.Errorf("the timeline table has %d rows, want 36", rows)
	}
	browsertest.CheckAccessibility(t, ctx, "dashboard with the timeline table open")

	// The dashboard links to the report.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main a[href="/reports/at-risk"]`))); err != nil {
		t.Fatal(err)
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(h1, "Q4 2025 to 2026 (January to March 2026)") {
		t.Errorf("report heading %q", h1)
	}
	browsertest.CheckAccessibility(t, ctx, "at-risk report")
	visitAndCheck(t, ctx, ts.URL+"/reports/at-risk?quarter=2026-Q1", "at-risk report for 2026-Q1")

	// Printed, the report leaves out the menu and the period form, and
	// shows where a link goes: the browser's own reading of the print
	// rules in the stylesheet.
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const hidden = [], after = [];
		for (const sheet of document.styleSheets) {
			for (const rule of sheet.cssRules) {
				if (!(rule instanceof CSSMediaRule) || !rule.media.mediaText.includes('print')) continue;
				for (const r of rule.cssRules) {
					if (r.style && r.style.display === 'none') {
						for (const sel of ['.govuk-service-navigation', '.app-report__period', '.app-account-bar']) {
							if (document.querySelector(sel).matches(r.selectorText)) hidden.push(sel);
						}
					}
					if (r.selectorText && r.selectorText.includes('::after') && r.style.content.includes('attr(href)')) {
						const a = document.querySelector('#clawback-table a[href^="/agreements/"]');
						if (a && a.matches(r.selectorText.replace('::after', ''))) after.push('link');
					}
				}
			}
		}
		return [...new Set(hidden)].sort().join(',') + ';' + [...new Set(after)].join(',');
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if printed != ".app-account-bar,.app-report__period,.govuk-service-navigation;link" {
		t.Errorf("print rules: %q", printed)
	}
}
