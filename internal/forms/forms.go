// Package forms holds what a submitted form is between the browser and the
// domain: the values the user typed (kept, so nothing is lost on an error)
// and the errors keyed by field name, in the order the fields appear.
// Domain packages return Errors as an error value; handlers put them on the
// Form; templates render them in the GOV.UK error summary and beside each field.
//
// forms has no HTTP and no SQL: any layer may import it.
package forms

import (
	"net/url"
	"strings"
)

// Errors maps a field name to its message. It is an error, so domain
// functions can return it.
type Errors struct {
	order []string
	msgs  map[string]string
	hrefs map[string]string
}

// LinkTo makes the error summary's link for field go to href instead of
// the field of that name on the page: for a fix made on another page, such
// as the UPRN on the home's details form.
func (e *Errors) LinkTo(field, href string) {
	if e.hrefs == nil {
		e.hrefs = map[string]string{}
	}
	e.hrefs[field] = href
}

// Href is where the error summary's link for field goes: the field itself
// ("#" + field) unless LinkTo said otherwise.
func (e *Errors) Href(field string) string {
	if e != nil && e.hrefs[field] != "" {
		return e.hrefs[field]
	}
	return "#" + field
}

// Add records a message for field, keeping the first message per field.
func (e *Errors) Add(field, msg string) {
	if e.msgs == nil {
		e.msgs = map[string]string{}
	}
	if _, ok := e.msgs[field]; ok {
		return
	}
	e.order = append(e.order, field)
	e.msgs[field] = msg
}

// Get returns the message for a field, or "".
func (e *Errors) Get(field string) string {
	if e == nil {
		return ""
	}
	return e.msgs[field]
}

// Any reports whether any field has an error.
func (e *Errors) Any() bool { return e != nil && len(e.order) > 0 }

// Fields lists the fields with errors, in the order they were added.
func (e *Errors) Fields() []string {
	if e == nil {
		return nil
	}
	return e.order
}

// Merge adds every message from other.
func (e *Errors) Merge(other *Errors) {
	if other == nil {
		return
	}
	for _, f := range other.order {
		e.Add(f, other.msgs[f])
	}
}

// Error lists the messages, so Errors satisfies error.
func (e *Errors) Error() string {
	parts := make([]string, 0, len(e.order))
	for _, f := range e.order {
		parts = append(parts, f+": "+e.msgs[f])
	}
	return strings.Join(parts, "; ")
}

// OrNil returns e as an error when it holds messages, and nil otherwise.
func (e *Errors) OrNil() error {
	if e.Any() {
		return e
	}
	return nil
}

// Form is a submitted (or pre-filled) form: its values and errors.
type Form struct {
	Values url.Values
	Errors *Errors
	// Conflict is set when the save was refused because someone else changed
	// the record first; the page shows it above the form, which keeps the
	// user's values.
	Conflict string
}

// New returns an empty form.
func New() *Form { return &Form{Values: url.Values{}, Errors: &Errors{}} }

// FromValues wraps values already parsed from a request.
func FromValues(v url.Values) *Form { return &Form{Values: v, Errors: &Errors{}} }

// Get returns a field's value with surrounding spaces removed.
func (f *Form) Get(field string) string {
	if f == nil {
		return ""
	}
	return strings.TrimSpace(f.Values.Get(field))
}

// All returns every value of a multi-valued field (checkboxes).
func (f *Form) All(field string) []string {
	if f == nil {
		return nil
	}
	return f.Values[field]
}

// Has reports whether a multi-valued field includes value.
func (f *Form) Has(field, value string) bool {
	for _, v := range f.All(field) {
		if v == value {
			return true
		}
	}
	return false
}

// Set sets a field's value (used to pre-fill an edit form).
func (f *Form) Set(field, value string) { f.Values.Set(field, value) }

// Error returns the message for a field, or "".
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors.Get(field)
}

// Valid reports whether the form has no errors.
func (f *Form) Valid() bool { return !f.Errors.Any() && f.Conflict == "" }

// Required adds "msg" for each listed field that is blank.
func (f *Form) Required(msgs map[string]string, fields ...string) {
	for _, field := range fields {
		if f.Get(field) == "" {
			f.Errors.Add(field, msgs[field])
		}
	}
}
