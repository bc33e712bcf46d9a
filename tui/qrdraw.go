package tui

import (
	"strings"

	"github.com/vmfa/vmfa/scanner"
)

// qrForms draws text as a QR code in every form the QR screen may use,
// from the biggest to the smallest: doubled (two columns and one line a
// module) with the full quiet zone and with 2 modules, then half blocks
// with 4, 2 and 1 module of quiet zone (what phone scanners still read on
// a screen; TestQRFormsScan checks each decodes). base gives the colours.
func qrForms(text string, base scanner.QRStyle, draw func(string, scanner.QRStyle) (string, error)) ([]string, error) {
	var forms []string
	for _, f := range []struct {
		doubled bool
		quiet   int
	}{{true, 0}, {true, 2}, {false, 0}, {false, 2}, {false, 1}} {
		s := base
		s.Doubled, s.Quiet = f.doubled, f.quiet
		q, err := draw(text, s)
		if err != nil {
			return nil, err
		}
		forms = append(forms, strings.TrimRight(q, "\n"))
	}
	return forms, nil
}
