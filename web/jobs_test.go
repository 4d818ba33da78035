package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/users"
)

var jobsNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func jobsTestServer(t *testing.T) (*Application, *testServer, users.User) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return jobsNow }
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)
	return app, ts, admin
}

// jobsPage parses a page that must have been served.
func jobsPage(t *testing.T, what string, res response) *htmltest.Page {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", what, res.status, excerpt(res.body))
	}
	return htmltest.Parse(t, res.body)
}

func TestJobsPageListsJobsAndRunNowRecordsARun(t *testing.T) {
	t.Parallel()
	app, ts, admin := jobsTestServer(t)
	ctx := context.Background()
	for _, m := range []mail.Message{
		{Key: "k1", To: "officer@council.example", Subject: "Spend-by deadline in 6 months", Body: "b"},
		{Key: "k2", To: "manager@council.example", Subject: "Money past its deadline", Body: "b"},
	} {
		if err := mail.Enqueue(ctx, app.DB.Pool, m); err != nil {
			t.Fatal(err)
		}
	}

	res := ts.get(t, "/admin/jobs")
	jobs := jobsPage(t, "jobs page", res)
	pageSays(t, "jobs page", jobs, "h1", "Background jobs")
	pageSays(t, "jobs page", jobs, "main td, main th", "evaluate-alerts", "send-digests", "deliver-mail", "Every hour", "Every minute", "Never")
	pageSays(t, "jobs page", jobs, "main", "No SMTP server is configured", "2 waiting, 0 failed")
	pageHas(t, "jobs page", jobs, `main form[action="/admin/jobs/deliver-mail/run"][method="post"] button`)

	// Run now.
	token := ts.csrf(t, "/admin/jobs")
	res = ts.post(t, "/admin/jobs/deliver-mail/run", url.Values{"csrf_token": {token}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/jobs/deliver-mail" {
		t.Fatalf("run now: status %d, location %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	var runs int
	var outcome, summary, instance string
	var started time.Time
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) OVER (), outcome, summary, instance, started_at FROM job_runs WHERE job_name = 'deliver-mail'`).
		Scan(&runs, &outcome, &summary, &instance, &started); err != nil {
		t.Fatal(err)
	}
	if runs != 1 || outcome != "succeeded" || summary != "SMTP not configured: 2 waiting" || !started.Equal(jobsNow) || !strings.HasSuffix(instance, "(run now)") {
		t.Fatalf("run recorded: %d runs, %s, %q, %q, %v", runs, outcome, summary, instance, started)
	}
	events, err := audit.ByActor(ctx, app.DB.Pool, admin.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.Action == "job.run" && e.EntityType == "job" && e.EntityID == "deliver-mail" {
			found = true
		}
	}
	if !found {
		t.Fatalf("run now was not audited: %+v", events)
	}

	res = ts.get(t, "/admin/jobs/deliver-mail")
	job := jobsPage(t, "job page", res)
	pageSays(t, "job page", job, "main", "Ran deliver-mail: SMTP not configured: 2 waiting.", "2 Mar 2026 at 09:01") // next run a minute later
	pageSays(t, "job page", job, "main h2", "Recent runs")
	pageSays(t, "job page", job, "main td", "Succeeded", "SMTP not configured: 2 waiting", "2 Mar 2026 at 09:00") // run at 09:00 (GMT)
	res = ts.get(t, "/admin/jobs")
	pageSays(t, "jobs page after a run", jobsPage(t, "jobs page after a run", res), "main td", "Succeeded", "SMTP not configured: 2 waiting")

	if res := ts.get(t, "/admin/jobs/no-such-job"); res.status != http.StatusNotFound {
		t.Fatalf("unknown job: status %d", res.status)
	}
	if res := ts.post(t, "/admin/jobs/no-such-job/run", url.Values{"csrf_token": {token}}); res.status != http.StatusNotFound {
		t.Fatalf("run an unknown job: status %d", res.status)
	}
	// Without the CSRF token nothing runs.
	if res := ts.do(t, ts.client, http.MethodPost, "/admin/jobs/deliver-mail/run", url.Values{}); res.status == http.StatusSeeOther {
		t.Fatal("run now without a CSRF token was accepted")
	}
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM job_runs`).Scan(&runs); err != nil || runs != 1 {
		t.Fatalf("%d runs after refused requests, want 1 (%v)", runs, err)
	}
}

func TestOutboxPageShowsMessagesAndRetriesAFailedOne(t *testing.T) {
	t.Parallel()
	app, ts, admin := jobsTestServer(t)
	ctx := context.Background()
	for i := 1; i <= 56; i++ {
		m := mail.Message{Key: fmt.Sprintf("k%d", i), To: fmt.Sprintf("officer%02d@council.example", i), Subject: fmt.Sprintf("Alert %d", i), Body: "b"}
		if err := mail.Enqueue(ctx, app.DB.Pool, m); err != nil {
			t.Fatal(err)
		}
	}
	var failedID int64
	if err := app.DB.Pool.QueryRow(ctx, `
		UPDATE mail_outbox SET failed_at = $1, attempts = 10, last_error = 'MAIL FROM: the server replied 451 4.3.0 Try again later'
		WHERE idempotency_key = 'k7' RETURNING id`, jobsNow).Scan(&failedID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE mail_outbox SET sent_at = $1, attempts = 1 WHERE idempotency_key = 'k8'`, jobsNow); err != nil {
		t.Fatal(err)
	}

	// outbox reads a page of the outbox: its count line and its one row
	// (recipient, subject, queued, status, attempts, last error, action)
	// when it should have just one.
	outbox := func(path, showing string) (*htmltest.Page, []string) {
		t.Helper()
		page := htmltest.Parse(t, ts.get(t, path).body)
		if !strings.HasPrefix(page.Text("main p.govuk-body[role='status']"), showing) {
			t.Errorf("%s: count %q, want %q", path, page.Text("main p.govuk-body[role='status']"), showing)
		}
		rows := page.Rows("main table tbody tr")
		if showing == "Showing 1 to 1 of 1" && (len(rows) != 1 || len(rows[0]) != 7) {
			t.Fatalf("%s: rows %q, want one", path, rows)
		}
		if len(rows) == 0 {
			return page, nil
		}
		return page, rows[0]
	}
	page, _ := outbox("/admin/outbox", "Showing 1 to 50 of 56")
	if page.Text("h1") != "E-mail outbox" || !page.Has("a[aria-label='Page 2']") {
		t.Errorf("outbox page 1: heading %q, or no link to page 2", page.Text("h1"))
	}
	outbox("/admin/outbox?page=2", "Showing 51 to 56 of 56")

	page, row := outbox("/admin/outbox?status=failed", "Showing 1 to 1 of 1")
	if row[0] != "officer07@council.example" || !strings.Contains(row[1], "Alert 7") || !strings.HasPrefix(row[3], "Failed") || row[4] != "10" ||
		!strings.HasSuffix(row[5], "451 4.3.0 Try again later") || !page.Has(fmt.Sprintf("main table tbody tr form[action='/admin/outbox/%d/retry'] button", failedID)) {
		t.Errorf("failed e-mails: %q", row)
	}
	page, row = outbox("/admin/outbox?status=sent", "Showing 1 to 1 of 1")
	if row[0] != "officer08@council.example" || !strings.Contains(row[3], "Sent 2 Mar 2026 at 09:00") {
		t.Errorf("sent e-mails: %q", row)
	}
	if page.Has("form[action*='/retry'], a[href*='/retry']") {
		t.Error("a sent e-mail offers a retry")
	}
	if _, row = outbox("/admin/outbox?status=pending&q=officer09", "Showing 1 to 1 of 1"); row[0] != "officer09@council.example" || !strings.HasPrefix(row[3], "Waiting") {
		t.Errorf("search: %q", row)
	}

	token := ts.csrf(t, "/admin/outbox")
	res := ts.post(t, fmt.Sprintf("/admin/outbox/%d/retry", failedID), url.Values{"csrf_token": {token}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/outbox" {
		t.Fatalf("retry: status %d\n%s", res.status, excerpt(res.body))
	}
	var attempts int
	var failed *time.Time
	if err := app.DB.Pool.QueryRow(ctx, `SELECT attempts, failed_at FROM mail_outbox WHERE id = $1`, failedID).Scan(&attempts, &failed); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 || failed != nil {
		t.Fatalf("after retry: attempts %d, failed_at %v", attempts, failed)
	}
	events, err := audit.ForEntity(ctx, app.DB.Pool, "mail_message", fmt.Sprint(failedID), 5)
	if err != nil || len(events) != 1 || events[0].ActorID != admin.ID || events[0].Action != "mail.retry" {
		t.Fatalf("retry audit: %+v, %v", events, err)
	}
	res = ts.get(t, "/admin/outbox")
	if got := htmltest.Parse(t, res.body).Text(".govuk-notification-banner__heading"); got != "The e-mail will be tried again the next time e-mail is delivered." {
		t.Errorf("outbox after retry: banner %q", got)
	}

	// Retrying it again (no longer failed) changes nothing.
	res = ts.post(t, fmt.Sprintf("/admin/outbox/%d/retry", failedID), url.Values{"csrf_token": {token}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("second retry: status %d", res.status)
	}
	if res := ts.post(t, "/admin/outbox/999999/retry", url.Values{"csrf_token": {token}}); res.status != http.StatusNotFound {
		t.Fatalf("retry of a missing e-mail: status %d", res.status)
	}
}

func TestOutboxPageEmptyState(t *testing.T) {
	t.Parallel()
	_, ts, _ := jobsTestServer(t)
	if !htmltest.Parse(t, ts.get(t, "/admin/outbox").body).HasExactText("main p.govuk-body[role='status']", "No e-mails have been sent or queued yet.") {
		t.Error("the empty outbox does not say so")
	}
}

// The jobs, job and outbox pages work in a real browser and pass axe-core.
func TestAdminRunsAJobAndRetriesAnEmailInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return jobsNow }
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	bg := context.Background()
	if err := mail.Enqueue(bg, app.DB.Pool, mail.Message{Key: "k1", To: "officer@council.example", Subject: "Spend-by deadline passed", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Pool.Exec(bg, `UPDATE mail_outbox SET failed_at = $1, attempts = 10, last_error = 'MAIL FROM: the server replied 451 4.3.0 Try again later'`, jobsNow); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "admin@test.example")

	visitAndCheck(t, ctx, ts.URL+"/admin/jobs", "background jobs page")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/jobs/deliver-mail/run"] button`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "job page after run now")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(text, "Ran deliver-mail: SMTP not configured: 0 waiting.") {
		t.Fatalf("job page after run now: %q (%v)", text, err)
	}

	visitAndCheck(t, ctx, ts.URL+"/admin/outbox", "e-mail outbox page")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/retry"] button`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "outbox after a retry")
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "The e-mail will be tried again") || !strings.Contains(text, "Waiting") {
		t.Fatalf("outbox after retry: %q", text)
	}
}
