package textutil

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("a", ClipLen), strings.Repeat("a", ClipLen)},
		{strings.Repeat("a", ClipLen+1), strings.Repeat("a", ClipLen) + "…"},
		// "é" is two bytes: the cut at byte 40 would split the one at 39–40.
		{strings.Repeat("a", ClipLen-1) + "éé", strings.Repeat("a", ClipLen-1) + "…"},
		// "€" is three bytes.
		{strings.Repeat("€", 20), strings.Repeat("€", 13) + "…"},
	} {
		got := Clip(tt.in)
		if got != tt.want {
			t.Errorf("Clip(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Clip(%q) = %q is not valid UTF-8", tt.in, got)
		}
	}
}

func ExampleClip() {
	fmt.Println(Clip("https://example.com/a/very/long/path/that/goes/on/and/on"))
	// Output: https://example.com/a/very/long/path/tha…
}

func TestPeek(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"abcd", "abcd"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", "otpa…"},
		{"éééééééé", "éééé…"},
	} {
		if got := Peek(tt.in); got != tt.want {
			t.Errorf("Peek(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"code", "code", 0},
		{"cdoe", "code", 1}, // a swap of neighbours is one edit
		{"kode", "code", 1},
		{"cod", "code", 1},
		{"acme", "", 4},
		{"ünï", "uni", 2}, // runes, not bytes
		{strings.Repeat("a", 300), "a", 301},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%.20q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
