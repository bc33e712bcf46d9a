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
	mu     sync.Mutex
	out    io.Writer
	native bool
	env    func(string) string
}

// NewClipboard returns the default clipboard: OSC 52 on out plus the
// native clipboard when available.
func NewClipboard(out io.Writer) Clipboard {
	return &termClipboard{out: out, native: !clipboard.Unsupported, env: os.Getenv}
}

func (c *termClipboard) Copy(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := osc52.New(text)
	if text == "" {
		seq = osc52.Clear()
	}
	if c.env("STY") != "" {
		seq = seq.Screen() // GNU screen needs its DCS passthrough; tmux takes plain OSC 52 with set-clipboard on
	}
	_, oscErr := seq.WriteTo(c.out)
	if !c.native {
		return oscErr
	}
	if err := clipboard.WriteAll(text); err != nil && oscErr != nil {
		return errors.Join(oscErr, err)
	}
	return nil
}
