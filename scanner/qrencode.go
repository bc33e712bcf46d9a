package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// QuietZone is the white border, in modules, drawn around every QR code
// vmfa renders (ISO/IEC 18004 asks for 4).
const QuietZone = 4

// qrModules encodes text (error correction M, as authenticator apps use)
// and returns its module matrix, true = dark, with the quiet zone.
func qrModules(text string) ([][]bool, error) {
	if text == "" {
		return nil, errors.New("nothing to encode in a QR code")
	}
	bc, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("the text does not fit in a QR code (%d bytes)", len(text))
	}
	n := bc.Bounds().Dx()
	size := n + 2*QuietZone
	m := make([][]bool, size)
	for y := range m {
		m[y] = make([]bool, size)
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, _, _, _ := bc.At(x, y).RGBA()
			m[y+QuietZone][x+QuietZone] = r < 0x8000
		}
	}
	return m, nil
}

// QRImage renders text as a black-on-white QR code about size pixels wide
// (whole pixels per module, quiet zone included; never smaller than one
// pixel per module).
func QRImage(text string, size int) (*image.Paletted, error) {
	m, err := qrModules(text)
	if err != nil {
		return nil, err
	}
	n := len(m)
	scale := max(1, size/n)
	side := max(size, scale*n)
	off := (side - scale*n) / 2
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !m[y][x] {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := img.Pix[(off+y*scale+dy)*img.Stride:]
				for dx := 0; dx < scale; dx++ {
					row[off+x*scale+dx] = 1
				}
			}
		}
	}
	return img, nil
}

// QRPNG returns a PNG of text as a QR code about size pixels wide (see
// QRImage).
func QRPNG(text string, size int) ([]byte, error) {
	img, err := QRImage(text, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ANSI colours of QRHalfBlocks: xterm-256 16 (black) and 231 (white) are
// fixed RGB values, unlike the 8 basic colours that themes remap.
const (
	sgrBlackOnWhite = "\x1b[38;5;16;48;5;231m"
	sgrReset        = "\x1b[0m"
)

// QRHalfBlocks draws text as a QR code for a terminal, two modules per
// character cell with ▀, ▄, █ and spaces, quiet zone included.
//
// A terminal's own colours cannot be trusted: drawn in the default
// foreground, a code is dark-on-light in a light theme but inverted in a
// dark one, and many phone scanners cannot read inverted codes. So every
// line sets black foreground on white background explicitly (xterm-256
// colours 16 and 231), and the code reads the same in dark and light
// terminals. Use QRHalfBlocksPlain where escape codes are not wanted.
func QRHalfBlocks(text string) (string, error) {
	return QRText(text, QRStyle{Colour: true})
}

// QRHalfBlocksPlain draws the code with characters only. The glyphs are
// drawn in the terminal's foreground colour, so for a light-on-dark
// terminal pass lightOnDark = true: the glyphs then paint the light modules
// and the dark terminal background shows through as the dark ones.
func QRHalfBlocksPlain(text string, lightOnDark bool) (string, error) {
	return QRText(text, QRStyle{LightOnDark: lightOnDark})
}

// QRStyle says how QRText draws a code with characters.
type QRStyle struct {
	// Colour sets black on white explicitly on every line (see
	// QRHalfBlocks); without it the glyphs take the terminal's colours.
	Colour bool
	// LightOnDark makes the glyphs paint the light modules: a plain
	// drawing for a light-on-dark terminal (see QRHalfBlocksPlain).
	LightOnDark bool
	// Quiet is the quiet zone in modules, from 1 to QuietZone; 0 (or
	// anything out of that range) is QuietZone. Phone scanners still
	// read a code on a screen with a narrower one.
	Quiet int
	// Doubled draws each module two columns wide and one line high
	// (square in most fonts, and twice as big) instead of two modules
	// per character cell.
	Doubled bool
}

// QRText draws text as a QR code with block characters, one line of
// output per line of drawing, each ending in a newline.
func QRText(text string, s QRStyle) (string, error) {
	m, err := qrModules(text)
	if err != nil {
		return "", err
	}
	if cut := QuietZone - s.Quiet; s.Quiet >= 1 && cut > 0 {
		m = m[cut : len(m)-cut]
		for y := range m {
			m[y] = m[y][cut : len(m[y])-cut]
		}
	}
	n := len(m)
	// painted says whether a glyph paints the module at (x, y); below the
	// last row is the terminal background, which the inverted drawing
	// takes as dark, so it is never painted.
	painted := func(x, y int) bool {
		if y >= n {
			return false
		}
		return m[y][x] != s.LightOnDark
	}
	step := 2
	if s.Doubled {
		step = 1
	}
	var b strings.Builder
	for y := 0; y < n; y += step {
		if s.Colour {
			b.WriteString(sgrBlackOnWhite)
		}
		for x := 0; x < n; x++ {
			top := painted(x, y)
			if s.Doubled {
				if top {
					b.WriteString("██")
				} else {
					b.WriteString("  ")
				}
				continue
			}
			switch bot := painted(x, y+1); {
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
		if s.Colour {
			b.WriteString(sgrReset)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
