package templates

import (
	"strings"
	"time"

	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
)

// Page is what the layout needs for every page.
type Page struct {
	Title       string
	CouncilName string
	ServiceName string
	User        *CurrentUser // nil when nobody is signed in
	Nav         []NavItem
	CSRFToken   string
	Flash       string // a success message shown once, after a redirect
	Public      bool   // a public page: no officer navigation
	RequestID   string // the request's id, which error pages show for the user to quote
}

// CurrentUser is who is signed in, as the header shows them.
type CurrentUser struct {
	ID    int64
	Name  string
	Roles string
}

// NavItem is one link in the service navigation.
type NavItem struct {
	Label   string
	Href    string
	Current bool
}

// Field describes one form field for the shared form components.
type Field struct {
	Name         string // the form field name, and the input's id
	Label        string
	Hint         string
	Type         string // input type; "text" when empty
	Autocomplete string
	Width        string // a govuk-input--width-N or govuk-!-width-* class
	Spellcheck   bool
	Inputmode    string
	Rows         int  // textarea rows
	LabelAsTitle bool // the label is the page heading
	Options      []Option
}

// Option is one choice in a select, radios or checkboxes.
type Option struct {
	Value string
	Label string
	Hint  string
}

// Breadcrumb is one link in a page's breadcrumbs.
type Breadcrumb struct {
	Label string
	Href  string
}

func inputType(f Field) string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func errorID(name string) string { return name + "-error" }
func hintID(name string) string  { return name + "-hint" }

// describedBy returns the aria-describedby value for a field.
func describedBy(f *forms.Form, field Field) string {
	var ids []string
	if field.Hint != "" {
		ids = append(ids, hintID(field.Name))
	}
	if f.Error(field.Name) != "" {
		ids = append(ids, errorID(field.Name))
	}
	return strings.Join(ids, " ")
}

// titleWithErrors prefixes "Error: " to the page title when the form has
// errors, as the GOV.UK Design System asks.
func titleWithErrors(p Page, f *forms.Form) Page {
	if f != nil && (f.Errors.Any() || f.Conflict != "") {
		p.Title = "Error: " + p.Title
	}
	return p
}

func formatDateTime(t time.Time) string {
	return t.In(London).Format("2 Jan 2006 at 15:04")
}

func formatOptionalDateTime(t *time.Time) string {
	if t == nil {
		return "Never"
	}
	return formatDateTime(*t)
}

// London is the council's time zone, used to show times.
var London = fy.London
