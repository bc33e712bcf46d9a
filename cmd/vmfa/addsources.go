package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// renamedErr is an error whose text names images by what they are
// (stdin, the clipboard, the screen) instead of the temporary files they
// were scanned from; errors.Is still sees the scanner's error.
type renamedErr struct {
	err error
	r   *strings.Replacer
}

func (e renamedErr) Error() string { return e.r.Replace(e.err.Error()) }
func (e renamedErr) Unwrap() error { return e.err }

// namedImage is an image held in memory and what to call it.
type namedImage struct {
	name string
	data []byte
}

// scanImages scans images held in memory together with image files, in
// one pass (a Google Authenticator export spread over several images is
// put back together across them). The in-memory images go through
// private temporary files (mode 0600 in a 0700 directory, removed at
// once): they hold QR codes, i.e. secrets.
func scanImages(imgs []namedImage, files []string) ([]scanner.Found, error) {
	dir, err := os.MkdirTemp("", "vmfa-image-")
	if err != nil {
		return nil, fmt.Errorf("cannot make a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	var paths, pairs []string
	names := map[string]string{}
	for i, img := range imgs {
		p := filepath.Join(dir, fmt.Sprintf("image%d", i))
		err := os.WriteFile(p, img.data, 0o600)
		clear(img.data)
		if err != nil {
			return nil, fmt.Errorf("cannot write a temporary file: %w", err)
		}
		paths = append(paths, p)
		pairs = append(pairs, p, img.name)
		names[p] = img.name
	}
	found, err := scanner.ScanFiles(append(paths, files...)...)
	for i := range found {
		if n, ok := names[found[i].Source]; ok {
			found[i].Source = n
		}
	}
	if err != nil && len(pairs) > 0 {
		return found, renamedErr{err, strings.NewReplacer(pairs...)}
	}
	return found, err
}

// readImageStdin reads the image of 'add --qr -'.
func readImageStdin(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, scanner.MaxImageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read stdin: %w", err)
	}
	if len(b) > scanner.MaxImageBytes {
		return nil, fmt.Errorf("the image on stdin is over %d MiB", scanner.MaxImageBytes>>20)
	}
	if len(b) == 0 {
		return nil, errors.New("no image on stdin (pipe a PNG, JPEG, GIF, BMP or WebP file)")
	}
	return b, nil
}

// ErrNoScreen: no tool could grab the screen.
var errNoScreen = errors.New("cannot grab the screen")

// grabScreen returns a PNG of the whole screen: grim on Wayland, ImageMagick's
// import (or xwd through convert) on X11.
func grabScreen() ([]byte, error) {
	type grabber struct{ argv [][]string }
	var gs []grabber
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		gs = append(gs, grabber{[][]string{{"grim", "-t", "png", "-"}}})
	}
	if os.Getenv("DISPLAY") != "" {
		gs = append(gs, grabber{[][]string{{"import", "-silent", "-window", "root", "png:-"}}},
			grabber{[][]string{{"xwd", "-root", "-silent"}, {"convert", "xwd:-", "png:-"}}})
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("%w: no display (WAYLAND_DISPLAY and DISPLAY are unset; over SSH use 'vmfa add --qr FILE')", errNoScreen)
	}
	var tried []string
	for _, g := range gs {
		b, err := pipeline(g.argv)
		if err == nil && len(b) > 0 {
			return b, nil
		}
		if err == nil {
			err = fmt.Errorf("%s gave no image", g.argv[0][0])
		}
		tried = append(tried, err.Error())
	}
	return nil, fmt.Errorf("%w: %s (install grim on Wayland, imagemagick or x11-apps on X11)", errNoScreen, strings.Join(tried, "; "))
}

// pipeline runs argv[0] | argv[1] | ... and returns the last one's output
// (at most scanner.MaxImageBytes).
func pipeline(argvs [][]string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var in []byte
	for i, argv := range argvs {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return nil, fmt.Errorf("%s is not installed", argv[0])
		}
		c := exec.CommandContext(ctx, path, argv[1:]...)
		c.Env = envWithoutVMFA()
		if i > 0 {
			c.Stdin = bytes.NewReader(in)
		}
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Run(); err != nil {
			msg := strings.TrimSpace(errb.String())
			if j := strings.IndexByte(msg, '\n'); j >= 0 {
				msg = msg[:j]
			}
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("%s: %s", argv[0], msg)
		}
		if out.Len() > scanner.MaxImageBytes {
			return nil, fmt.Errorf("%s: the screen image is over %d MiB", argv[0], scanner.MaxImageBytes>>20)
		}
		in = out.Bytes()
	}
	return in, nil
}

// envWithoutVMFA is the environment for helper programs: no VMFA_*
// variable (a passphrase may be among them).
func envWithoutVMFA() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VMFA_") {
			env = append(env, kv)
		}
	}
	return env
}

// imageSource is where 'add' takes QR images from.
type imageSource struct {
	stdin, clipboard, screen bool
}

// accounts scans the source's images (not stdin) for the TUI's QR
// screen.
func (s imageSource) accounts() ([]vault.Account, error) {
	found, err := s.scan(nil, nil)
	out := make([]vault.Account, len(found))
	for i, f := range found {
		out[i] = f.Account
	}
	return out, err
}

// scan reads the images the flags name: stdin, the clipboard, the screen
// and files.
func (s imageSource) scan(stdin io.Reader, files []string) ([]scanner.Found, error) {
	var imgs []namedImage
	if s.stdin {
		b, err := readImageStdin(stdin)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, namedImage{"stdin", b})
	}
	if s.clipboard {
		b, err := clipboard.ReadImage()
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, namedImage{"the clipboard image", b})
	}
	if s.screen {
		b, err := grabScreen()
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, namedImage{"the screen", b})
	}
	found, err := scanImages(imgs, files)
	if s.screen && errors.Is(err, scanner.ErrNoQR) {
		return nil, fmt.Errorf("%w (show the QR code whole on the screen, not covered by a window, and run again)", err)
	}
	return found, err
}
