package tui

import (
	"strings"

	"github.com/vmfa/vmfa/scanner"
)

// qrDrawing is a half-block QR drawing (scanner.QRHalfBlocks or
// QRHalfBlocksPlain) taken apart into the cells its glyphs paint, one
// per module, so that it can be drawn again bigger or with a narrower
// quiet zone. What "painted" means (dark, or light on a dark terminal)
// is the drawing's business and is kept as it is, and so are the escape
// sequences around each line (the explicit black on white).
type qrDrawing struct {
	pre, post string
	paint     [][]bool // [row][column] in modules, quiet zone included
}

func parseQR(q string) qrDrawing {
	var d qrDrawing
	for _, line := range strings.Split(strings.TrimRight(q, "\n"), "\n") {
		pre, body, post := splitSGR(line)
		d.pre, d.post = pre, post
		top, bot := []bool{}, []bool{}
		for _, r := range body {
			top = append(top, r == '█' || r == '▀')
			bot = append(bot, r == '█' || r == '▄')
		}
		d.paint = append(d.paint, top, bot)
	}
	return d
}

// splitSGR splits a line into its leading escape sequence, its text and
// its trailing escape sequence.
func splitSGR(line string) (pre, body, post string) {
	if strings.HasPrefix(line, "\x1b[") {
		if i := strings.IndexByte(line, 'm'); i > 0 {
			pre, line = line[:i+1], line[i+1:]
		}
	}
	if i := strings.LastIndex(line, "\x1b["); i >= 0 && strings.HasSuffix(line, "m") {
		line, post = line[:i], line[i:]
	}
	return pre, line, post
}

// quiet returns the drawing with a quiet zone of q modules instead of
// scanner.QuietZone.
func (d qrDrawing) quiet(q int) qrDrawing {
	cut := scanner.QuietZone - q
	if cut <= 0 || len(d.paint) == 0 {
		return d
	}
	n := len(d.paint[0]) // square, without the half row of padding
	out := qrDrawing{pre: d.pre, post: d.post}
	for y := cut; y < n-cut && y < len(d.paint); y++ {
		out.paint = append(out.paint, d.paint[y][cut:n-cut])
	}
	return out
}

// halfBlocks draws two modules per character cell, as scanner does.
func (d qrDrawing) halfBlocks() string {
	var b strings.Builder
	for y := 0; y < len(d.paint); y += 2 {
		b.WriteString(d.pre)
		for x, top := range d.paint[y] {
			bot := y+1 < len(d.paint) && d.paint[y+1][x]
			switch {
			case top && bot:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bot:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString(d.post)
		if y+2 < len(d.paint) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// doubled draws each module two columns wide and one line high: square
// on most fonts, and twice the size.
func (d qrDrawing) doubled() string {
	lines := make([]string, len(d.paint))
	for y, row := range d.paint {
		var b strings.Builder
		b.WriteString(d.pre)
		for _, p := range row {
			if p {
				b.WriteString("██")
			} else {
				b.WriteString("  ")
			}
		}
		b.WriteString(d.post)
		lines[y] = b.String()
	}
	// the last half-block row's lower half is padding, not code
	if n := len(d.paint[0]); len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// qrForms are the drawings of a QR code from the biggest to the
// smallest: doubled with the full quiet zone and with 2 modules, then
// half blocks with 4, 2 and 1 module of quiet zone (what phone scanners
// still read on a screen; TestQRFormsScan checks each decodes).
func qrForms(q string) []string {
	d := parseQR(q)
	if len(d.paint) == 0 {
		return []string{q}
	}
	return []string{d.doubled(), d.quiet(2).doubled(), d.halfBlocks(), d.quiet(2).halfBlocks(), d.quiet(1).halfBlocks()}
}
