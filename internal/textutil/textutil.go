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

// EditDistance is the Levenshtein distance between a and b, in runes,
// counting a swap of two neighbours as one edit. Strings over 256 runes are
// not compared: their distance is the sum of their lengths.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 || len(rb) > 256 {
		return len(ra) + len(rb)
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
