package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestJobsCommandListsAndRunsOnce(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.URL(t))
	t.Setenv("S106_SMTP_HOST", "")
	t.Setenv("S106_LOG_LEVEL", "error")

	var out bytes.Buffer
	if err := jobsCommand([]string{"list"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"evaluate-alerts", "send-digests", "deliver-mail", "1m0s", "never"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("jobs list does not show %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := jobsCommand([]string{"run-once", "deliver-mail"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "deliver-mail: succeeded in ") || !strings.Contains(out.String(), "SMTP not configured: 0 waiting") {
		t.Fatalf("run-once deliver-mail printed %q", out.String())
	}
	out.Reset()
	if err := jobsCommand([]string{"list"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "succeeded") {
		t.Errorf("jobs list after a run:\n%s", out.String())
	}

	if err := jobsCommand([]string{"run-once", "no-such-job"}, &out); err == nil || !strings.Contains(err.Error(), `no job is called "no-such-job"`) {
		t.Errorf("unknown job: %v", err)
	}
	if err := jobsCommand([]string{"sideways"}, &out); err == nil {
		t.Error("unknown subcommand accepted")
	}
}

func TestJobsHelpExitsCleanly(t *testing.T) {
	t.Parallel()
	if err := jobsCommand([]string{"--help"}, &bytes.Buffer{}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("jobs --help: %v, want flag.ErrHelp", err)
	}
}
