package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// groupCode splits a code for reading: 123 456, 1234 5678, 123 4567.
// Five-character Steam codes and anything shorter stay whole.
func groupCode(code string) string {
	n := len(code)
	if n < 6 {
		return code
	}
	return code[:n/2] + " " + code[n/2:]
}

// secondsLeft is the countdown shown to the user: a code with 29.2 s left
// shows 30 s, so the figure changes exactly when the code does.
func secondsLeft(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// bar draws a countdown of left out of period in width cells.
func bar(left, period time.Duration, width int) (full, empty string) {
	if width <= 0 || period <= 0 {
		return "", ""
	}
	n := int((int64(left)*int64(width) + int64(period) - 1) / int64(period))
	n = max(0, min(width, n))
	return strings.Repeat("█", n), strings.Repeat("░", width-n)
}

// formatOffset renders a clock offset for the header: +30s, -1m30s.
func formatOffset(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + d.Truncate(time.Second).String()
}

// parseOffset reads a clock offset: whole seconds with an optional sign
// ("+30", "-90", "0") or a Go duration ("1m30s", "-45s").
func parseOffset(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	var secs int64
	if _, err := fmt.Sscanf(s, "%d", &secs); err == nil && strings.Trim(s, "+-0123456789") == "" {
		return clampOffset(time.Duration(secs) * time.Second)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("offset %q is not a number of seconds like +30 or -90, or a duration like 1m30s", s)
	}
	return clampOffset(d.Round(time.Second))
}

// MaxOffset bounds the simulated clock drift.
const MaxOffset = 24 * time.Hour

func clampOffset(d time.Duration) (time.Duration, error) {
	if d > MaxOffset || d < -MaxOffset {
		return 0, fmt.Errorf("offset must be within ±24h")
	}
	return d, nil
}

// fit truncates s to width cells with an ellipsis and pads it to width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	s = ansi.Truncate(s, width, "…")
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// clip truncates s to width cells without padding.
func clip(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// groupSecret splits a Base32 secret into blocks of four for reading it
// aloud or typing it into another device.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wrap breaks s into lines of at most width cells, at spaces where it
// can and inside long words (paths, URIs) where it must, so that an
// error is read whole instead of cut off with an ellipsis.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Wrap(s, width, "")
}
