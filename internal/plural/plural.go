// Package plural words a count the way pages, messages and e-mails say it:
// "1 home", "1,234 homes". It is the one place that chooses between a
// word's singular and plural, so every part of the product agrees (there
// were ten helpers, some grouping thousands and some not).
package plural

import "strconv"

// Of is one when n is 1, else many: plural.Of(n, "home", "homes").
func Of(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n, its thousands grouped by commas, and the word for it:
// "1 home", "0 homes", "1,234 homes".
func Count(n int, one, many string) string { return Thousands(n) + " " + Of(n, one, many) }

// Thousands writes n as people read it, in groups of three: 700000 is
// "700,000".
func Thousands(n int) string {
	// The sign is taken off the digits, not off n: -n overflows for the
	// smallest int (a form's "no lower limit"), which recursed for ever.
	s, sign := strconv.Itoa(n), ""
	if n < 0 {
		s, sign = s[1:], "-"
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
