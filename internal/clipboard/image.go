package clipboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ErrNoImage: no clipboard could give an image.
var ErrNoImage = errors.New("no image on the clipboard")

// MaxImage bounds an image read from the clipboard.
const MaxImage = 64 << 20

// ReadImage returns the PNG image on the desktop's clipboard: wl-paste on
// Wayland, xclip on X11, asking each for the image/png target.
func ReadImage() ([]byte, error) {
	var tools [][]string
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		tools = append(tools, []string{"wl-paste", "--no-newline", "--type", "image/png"})
	}
	if os.Getenv("DISPLAY") != "" {
		tools = append(tools, []string{"xclip", "-selection", "clipboard", "-t", "image/png", "-out"})
	}
	if len(tools) == 0 {
		return nil, fmt.Errorf("%w: no desktop clipboard (no DISPLAY or WAYLAND_DISPLAY); over SSH, copy the image to a file and use --qr FILE", ErrNoImage)
	}
	var why []string
	for _, argv := range tools {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			why = append(why, argv[0]+" is not installed")
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c := exec.CommandContext(ctx, path, argv[1:]...)
		c.Env = New().childEnv()
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &limitWriter{&out, MaxImage + 1}, &errb
		err = c.Run()
		cancel()
		switch {
		case err != nil:
			why = append(why, argv[0]+": "+firstLine(strings.TrimSpace(errb.String()+" "+err.Error())))
		case out.Len() > MaxImage:
			return nil, fmt.Errorf("the clipboard image is over %d MiB", MaxImage>>20)
		case out.Len() == 0:
			why = append(why, argv[0]+" gave nothing")
		default:
			return out.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("%w: %s (copy the QR image itself, not a link to it)", ErrNoImage, strings.Join(why, "; "))
}

// limitWriter keeps at most n bytes and drops the rest.
type limitWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
