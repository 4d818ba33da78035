// Package csvtext keeps free text in downloaded CSVs from being run by a
// spreadsheet as a formula (CSV injection).
package csvtext

import "strings"

// Safe prefixes text that starts with = + - @, a tab or a carriage return
// with an apostrophe, which spreadsheets show but do not evaluate. Codes,
// dates and amounts written by the product never need it.
func Safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
