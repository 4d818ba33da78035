// Package users holds the people who sign in, their roles, password
// hashing, login with lockout, and user administration. Its SQL lives in
// store.go. It must never import web or templates.
package users
