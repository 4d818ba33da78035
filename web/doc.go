// Package web is the HTTP layer: the router (routes.go lists every route
// with its role), middleware (sessions, authentication, roles, CSRF, secure
// headers, logging, recovery), thin handlers that decode a form, call one
// domain function and render a page or redirect, and the error helpers.
// Domain packages never import web.
package web
