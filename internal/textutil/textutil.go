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
