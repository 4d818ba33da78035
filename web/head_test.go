package web

import (
	"net/http"
	"testing"
)

// HEAD is answered like GET without a body: caches probe public pages
// with it, and an officer page still needs a sign-in.
func TestHeadRequestsAreAnsweredLikeGet(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ts := newTestServer(t, app)
	for path, want := range map[string]int{"/public": http.StatusOK, "/healthz": http.StatusOK, "/agreements": http.StatusSeeOther} {
		req, _ := http.NewRequest(http.MethodHead, ts.URL+path, nil)
		res, err := newClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("HEAD %s: status %d, want %d", path, res.StatusCode, want)
		}
		if path == "/public" && res.Header.Get("ETag") == "" {
			t.Errorf("HEAD /public has no ETag")
		}
	}
}
