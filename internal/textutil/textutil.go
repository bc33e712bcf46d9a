// Package textutil holds small text helpers shared by vmfa's packages.
package textutil

import "unicode/utf8"

// ClipLen is the most bytes of untrusted text Clip keeps.
const ClipLen = 40

// Clip shortens untrusted text (a value from a file, a URI, a WebAuthn
// response) to at most ClipLen bytes, cut at a character boundary and
// marked with "…", for quoting in an error message.
func Clip(s string) string {
	if len(s) <= ClipLen {
		return s
	}
	i := ClipLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// PeekLen is the most characters Peek keeps.
const PeekLen = 4

// Peek keeps the first PeekLen characters of text that may be a secret (a
// pasted URI, a key typed in the wrong place, a passphrase-like value),
// marked with "…", for naming it in an error message without quoting it.
func Peek(s string) string {
	n := 0
	for i := range s {
		if n == PeekLen {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
