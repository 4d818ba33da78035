package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// Text the product accepts from a browser, anywhere: valid UTF-8 without
// NUL bytes. A NUL or invalid UTF-8 used to reach PostgreSQL, which
// refuses both in text, and came back as a 500; now it is refused at the
// edge with a 400 naming the field. Other control characters (a vertical
// tab pasted from a word processor, say) are legal text and pass: refusing
// them would throw away what someone typed.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// invalidField returns the name of the first field in v (sorted, so the
// message is stable) whose name or any value is not valid text, and
// whether there is one.
func invalidField(v url.Values) (string, bool) {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !validText(k) {
			return "", true
		}
		for _, s := range v[k] {
			if !validText(s) {
				return k, true
			}
		}
	}
	return "", false
}

// rejectInvalidText refuses a request whose path or query string holds
// text that is not valid (above), before any handler or session sees it.
func (app *Application) rejectInvalidText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !validText(r.URL.Path) {
			app.invalidText(w, r, "")
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			app.renderError(w, r, http.StatusBadRequest, "This address is not valid",
				"Part of the address after the question mark could not be read. Check it, or go back and use the page's own links and search boxes.")
			return
		}
		if name, bad := invalidField(q); bad {
			app.invalidText(w, r, name)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formTextValid checks a parsed form's fields (not uploaded files, which
// the importers read and report on row by row) and answers 400 if one is
// not valid text.
func (app *Application) formTextValid(w http.ResponseWriter, r *http.Request) bool {
	name, bad := invalidField(r.PostForm)
	if !bad && r.MultipartForm != nil {
		name, bad = invalidField(r.MultipartForm.Value)
	}
	if bad {
		app.invalidText(w, r, name)
		return false
	}
	return true
}

func (app *Application) invalidText(w http.ResponseWriter, r *http.Request, field string) {
	where := "The address"
	if field != "" {
		where = "The field “" + field + "”"
	} else if r.Method == http.MethodPost {
		where = "The form"
	}
	app.renderError(w, r, http.StatusBadRequest, "Some of what was sent is not text",
		where+" held characters that are not text (a null byte, or bytes that are not UTF-8). Remove them (retyping the text usually does it) and try again. Nothing was changed.")
}
