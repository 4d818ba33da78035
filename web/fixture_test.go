package web

import (
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/fixture"
)

// appFixture builds test data through the app's database with the app's
// clock, read at each call, so a test that moves the clock later still
// records on the day it means.
func appFixture(t *testing.T, app *Application) *fixture.Builder {
	t.Helper()
	return fixture.New(t, app.DB, func() time.Time { return app.Now() })
}
