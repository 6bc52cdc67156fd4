// Package chat holds Parley's domain types — rooms, members, messages — and
// the validation rules and error codes every other package shares. It imports
// only the standard library, so anything in backend/ may depend on it.
package chat
