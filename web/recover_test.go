package web

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
)

// panickingHandler is where the test's panic happens: the log's stack must
// name it.
func panickingHandler(http.ResponseWriter, *http.Request) { panic("boom in the handler") }

// TestPanicIsLoggedWithItsStackButNeverShown checks that a panic's log line
// carries the stack that leads to the panicking function, and that the
// page the user sees carries neither the stack nor the panic's value.
func TestPanicIsLoggedWithItsStackButNeverShown(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	logs := &syncBuffer{}
	app.Logger = slog.New(slog.NewTextHandler(logs, nil))
	srv := newTestServerHandler(t, app.recoverPanic(app.logRequests(http.HandlerFunc(panickingHandler))))
	res, err := http.Get(srv.URL + "/somewhere")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
	// Nowhere in the page's bytes: stricter than asking one element.
	for _, secret := range []string{"boom", "goroutine", "panickingHandler", ".go:"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the 500 page shows %q", secret)
		}
	}
	if got := htmltest.Parse(t, string(body)).Text("main h1"); got != "Sorry, there is a problem with the service" {
		t.Errorf("the 500 page is not the styled one:\n%s", excerpt(string(body)))
	}
	log := logs.String()
	for _, want := range []string{"msg=panic", "boom in the handler", "goroutine", "web.panickingHandler", "recover_test.go:", "path=/somewhere"} {
		if !strings.Contains(log, want) {
			t.Errorf("the panic's log line lacks %q:\n%s", want, log)
		}
	}
}
