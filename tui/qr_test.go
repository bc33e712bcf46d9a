package tui

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/scanner"
)

// paintHalfBlocks paints a half-block drawing as a terminal with 8×16
// pixel cells would, on a dark background around it (the worst case for
// a narrowed quiet zone).
func paintHalfBlocks(t *testing.T, drawing string) image.Image {
	t.Helper()
	lines := strings.Split(ansi.Strip(drawing), "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len([]rune(l)))
	}
	const cw, ch, margin = 8, 16, 40
	img := image.NewGray(image.Rect(0, 0, cols*cw+2*margin, len(lines)*ch+2*margin))
	for i := range img.Pix {
		img.Pix[i] = 0x20 // dark terminal background
	}
	fill := func(x0, y0 int, dark bool) {
		c := color.Gray{Y: 0xff}
		if dark {
			c = color.Gray{}
		}
		for dy := 0; dy < ch/2; dy++ {
			for dx := 0; dx < cw; dx++ {
				img.SetGray(x0+dx, y0+dy, c)
			}
		}
	}
	for y, l := range lines {
		for x, r := range []rune(l) {
			top, bot := false, false
			switch r {
			case '█':
				top, bot = true, true
			case '▀':
				top = true
			case '▄':
				bot = true
			case ' ':
			default:
				t.Fatalf("unexpected rune %q", r)
			}
			fill(margin+x*cw, margin+y*ch, top)
			fill(margin+x*cw, margin+y*ch+ch/2, bot)
		}
	}
	return img
}

// TestQRFormsScan: every form the QR screen may draw (doubled, quiet
// zone narrowed to 2 or 1 modules) with a dark terminal around it still
// decodes to the account's URI, for every sample account.
func TestQRFormsScan(t *testing.T) {
	for _, a := range sampleAccounts() {
		uri := scanner.AccountURI(a)
		q, err := scanner.QRHalfBlocks(uri)
		if err != nil {
			t.Fatal(err)
		}
		forms, err := qrForms(uri, scanner.QRStyle{Colour: true}, scanner.QRText)
		if err != nil {
			t.Fatal(err)
		}
		if forms[2] != strings.TrimRight(q, "\n") {
			t.Errorf("%s: the half-block form is not scanner's drawing", a.Label())
		}
		names := []string{"doubled", "doubled, quiet zone 2", "half blocks", "quiet zone 2", "quiet zone 1"}
		for i, d := range forms {
			name := names[i]
			got, err := scanner.DecodeImage(paintHalfBlocks(t, d))
			if err != nil || len(got) != 1 || got[0] != uri {
				t.Errorf("%s %s: decoded %q, %v", a.Label(), name, got, err)
			}
		}
	}
}
