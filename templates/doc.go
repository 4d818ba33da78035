// Package templates holds the templ components that render every page: one
// layout, shared form components, and one file per page family. A page is
// a function of a typed view model; templates hold no logic beyond loops
// and conditionals. Generated *_templ.go files are committed; regenerate
// them with `make generate`, never by hand.
package templates
