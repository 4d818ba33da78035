package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/web"
)

// Every query a page sends, the signed-in session's load and save
// included, is that request's: none is left unattributed, so the bench's
// database time per page is the whole of it and its "app" time is the
// application's own.
func TestEveryQueryOfAPageIsAttributedToItsRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	if _, err := seed.Demo(ctx, testdb.Open(t, url)); err != nil {
		t.Fatal(err)
	}
	timer := &store.DBTimer{}
	db, err := store.OpenTraced(ctx, url, timer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	cfg, err := benchConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	app := web.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db, web.Options{})
	rec := &recorder{}
	ts := httptest.NewServer(benchHandler(app.Routes(), rec))
	t.Cleanup(ts.Close)
	srv := &serverProc{base: ts.URL}
	officer, err := login(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	anonymous := &http.Client{}
	if _, err := srv.take(); err != nil {
		t.Fatal(err)
	}
	before := timer.Unattributed().Queries()
	for _, get := range []struct {
		c    *http.Client
		path string
	}{{officer, "/dashboard"}, {officer, "/agreements"}, {anonymous, "/public"}} {
		res, err := get.c.Get(ts.URL + get.path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", get.path, res.StatusCode)
		}
	}
	if n := timer.Unattributed().Queries() - before; n != 0 {
		t.Errorf("%d queries of the pages were attributed to no request", n)
	}
	samples, err := srv.take()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if s.Queries == 0 || s.DBUs <= 0 {
			t.Errorf("%s: %d queries, %d µs of database time; want some of each", s.Path, s.Queries, s.DBUs)
		}
	}
	if len(samples) != 3 {
		t.Errorf("got %d samples, want 3", len(samples))
	}
}
