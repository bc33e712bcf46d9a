package tui

import (
	"errors"
	"io"
	"os"
	"sync"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
)

// termClipboard copies with an OSC 52 escape sequence written to the
// terminal, which works over SSH and inside tmux/screen when they pass it
// through, and also with the native clipboard (xclip, xsel, wl-copy,
// pbcopy…) when one is installed.
type termClipboard struct {
	mu  sync.Mutex
	out io.Writer
	// native writes the native clipboard; nil when there is none.
	native func(string) error
	env    func(string) string
}

// NewClipboard returns the default clipboard: OSC 52 on out plus the
// native clipboard when available.
func NewClipboard(out io.Writer) Clipboard {
	c := &termClipboard{out: out, env: os.Getenv}
	if !clipboard.Unsupported {
		c.native = clipboard.WriteAll
	}
	return c
}

// Copy puts text on the clipboard; "" clears it. The clear is an OSC 52
// sequence with an empty payload (no base64 data), which is what xterm,
// kitty and others document as clearing the selection; the "!" that
// go-osc52's Clear sends is only understood by xterm. The native
// clipboard, when there is one, is emptied too.
func (c *termClipboard) Copy(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := osc52.New(text) // "" encodes to an empty payload: ESC ] 52 ; c ; BEL
	if c.env("STY") != "" {
		seq = seq.Screen() // GNU screen needs its DCS passthrough; tmux takes plain OSC 52 with set-clipboard on
	}
	_, oscErr := seq.WriteTo(c.out)
	if text == "" && c.env("TMUX") != "" && c.env("STY") == "" {
		// tmux drops an empty OSC 52 instead of passing it on, so the
		// terminal outside would keep the code: send the clear through
		// too (it arrives where tmux has allow-passthrough on). tmux's own
		// paste buffer is left alone: it may hold the user's other copies.
		if _, err := seq.Tmux().WriteTo(c.out); oscErr == nil {
			oscErr = err
		}
	}
	if c.native == nil {
		return oscErr
	}
	if err := c.native(text); err != nil && oscErr != nil {
		return errors.Join(oscErr, err)
	}
	return nil
}
