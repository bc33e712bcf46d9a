package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // GIF decoder
	_ "image/jpeg" // JPEG decoder
	_ "image/png"  // PNG decoder
	"io"
	"os"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
	_ "golang.org/x/image/bmp"  // BMP decoder
	_ "golang.org/x/image/webp" // WebP decoder
)

// Limits applied before an image is decoded, so that a decompression bomb
// (a small file that expands to gigabytes of pixels) is refused up front.
const (
	// MaxImageBytes is the largest image file read (64 MiB).
	MaxImageBytes = 64 << 20
	// MaxImagePixels is the largest pixel count decoded: 50 megapixels,
	// more than an 8K screenshot or a phone photo.
	MaxImagePixels = 50_000_000
)

// DecodeFile reads an image file (PNG, JPEG, GIF, BMP or WebP) and returns
// the text of every QR code in it, in reading order and without repeats.
// An image with no readable code gives an error wrapping ErrNoQR that names
// the file: "no QR code found in FILE".
func DecodeFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	texts, err := DecodeReader(f)
	if errors.Is(err, ErrNoQR) {
		return nil, fmt.Errorf("%w in %s", ErrNoQR, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return texts, nil
}

// fileError turns an os error into a short message without Go's "open"
// prefix noise.
func fileError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("%s: no such file", pe.Path)
		case errors.Is(err, os.ErrPermission):
			return fmt.Errorf("%s: permission denied", pe.Path)
		}
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// DecodeReader reads one image and returns the text of every QR code in
// it. Before any pixel is decoded, the file size is checked against
// MaxImageBytes and the header against the pixel cap (MaxImagePixels) and
// the decoding budget (MaxDecodeBytes, MaxJPEGBlockScans, MaxSlowPixels).
func DecodeReader(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImageBytes {
		return nil, fmt.Errorf("%w: the file is over %d MiB", ErrImageTooLarge, MaxImageBytes>>20)
	}
	info, known, err := inspect(data)
	if err != nil {
		return nil, err
	}
	if known {
		if err := info.checkBudget(); err != nil {
			return nil, err
		}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, ErrImageFormat
		}
		return nil, fmt.Errorf("%w (%v)", ErrImageDamaged, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: the image is empty", ErrImageFormat)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%w: %d×%d pixels (at most %d megapixels)", ErrImageTooLarge, cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	if format == "jpeg" && jpegScaling {
		// libjpeg-turbo decodes luminance only, and a large photo first
		// at the scale of the first pass: the full image is decoded only
		// if that pass finds nothing.
		w, h := cfg.Width, cfg.Height
		denom := 1
		for denom < 8 && max(w, h)/denom > firstPassSide {
			denom *= 2
		}
		var first *gray
		if denom > 1 {
			if first, err = decodeJPEGGray(data, w, h, denom); err != nil {
				return nil, err
			}
		}
		return decodeLazy(first, func() (*gray, error) { return decodeJPEGGray(data, w, h, 1) })
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrImageDamaged, err)
	}
	data = nil
	g := toGray(img)
	img = nil
	return decodeLazy(nil, func() (*gray, error) { return g, nil })
}

// DecodeImage returns the text of every QR code in img. It tries cheap
// passes first and harder ones only when they fail: the whole image as is
// (a large one first reduced to at most 2400 pixels a side, then at full
// resolution), inverted (light-on-dark codes), with a global threshold,
// downscaled (blur and noise average out), smoothed, upscaled (tiny
// codes), and finally overlapping crops, each enlarged (a small code in a
// large screenshot).
func DecodeImage(img image.Image) ([]string, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, ErrNoQR
	}
	if int64(b.Dx())*int64(b.Dy()) > MaxImagePixels {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrImageTooLarge, b.Dx(), b.Dy())
	}
	g := toGray(img)
	return decodeLazy(nil, func() (*gray, error) { return g, nil })
}

// gray is an 8-bit luminance image, row-major, stride = w.
type gray struct {
	w, h int
	pix  []byte
}

// toGray converts to luminance, compositing transparency over white (a
// transparent PNG's QR code is dark on nothing).
func toGray(img image.Image) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if m, ok := img.(*image.Gray); ok && m.Stride == w && len(m.Pix) == w*h {
		return &gray{w: w, h: h, pix: m.Pix} // shared: nothing writes to it
	}
	g := &gray{w: w, h: h, pix: make([]byte, w*h)}
	switch m := img.(type) {
	case *image.Gray16:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				out[x] = row[2*x]
			}
		}
	case *image.NYCbCrA:
		for y := 0; y < h; y++ {
			yr := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
			ar := m.A[m.AOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				l, a := uint32(yr[x]), uint32(ar[x])
				out[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA64, *image.NRGBA64:
		_ = m
		// 16-bit PNGs: the high bytes, as NRGBA/RGBA below.
		var pix []byte
		var stride, off int
		premul := false
		if m, ok := img.(*image.RGBA64); ok {
			pix, stride, off, premul = m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), true
		} else {
			m := img.(*image.NRGBA64)
			pix, stride, off = m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y)
		}
		for y := 0; y < h; y++ {
			row := pix[off+y*stride:]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				p := row[8*x : 8*x+8 : 8*x+8]
				l := (uint32(p[0]) + 2*uint32(p[2]) + uint32(p[4])) / 4
				a := uint32(p[6])
				if premul {
					out[x] = byte(min(255, l+255-a))
				} else {
					out[x] = byte((l*a + 255*(255-a)) / 255)
				}
			}
		}
	case *image.CMYK:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				k := 255 - uint32(p[3])
				r, gg, bb := (255-uint32(p[0]))*k/255, (255-uint32(p[1]))*k/255, (255-uint32(p[2]))*k/255
				out[x] = byte((r + 2*gg + bb) / 4)
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(g.pix[y*w:(y+1)*w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			copy(g.pix[y*w:(y+1)*w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				// premultiplied: composite over white = c + (255-a)
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) / 4
				out[x] = byte(min(255, l+255-uint32(p[3])))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) / 4
				a := uint32(p[3])
				out[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = lumOf(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.pix[y*w : (y+1)*w]
			for x := range out {
				out[x] = lut[row[x]]
			}
		}
	default:
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.pix[i] = lumOf(img.At(x, y))
				i++
			}
		}
	}
	return g
}

func lumOf(c color.Color) byte {
	r, gg, b, a := c.RGBA() // premultiplied, 16 bit
	l := (r + 2*gg + b) / 4
	return byte((l + 0xffff - a) >> 8)
}

// lumSource adapts gray to gozxing.
type lumSource struct {
	gozxing.LuminanceSourceBase
	g *gray
}

func newLumSource(g *gray) *lumSource {
	return &lumSource{gozxing.LuminanceSourceBase{Width: g.w, Height: g.h}, g}
}

func (s *lumSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.g.h {
		return row, errors.New("row outside the image")
	}
	if len(row) < s.g.w {
		row = make([]byte, s.g.w)
	}
	copy(row, s.g.pix[y*s.g.w:(y+1)*s.g.w])
	return row, nil
}

func (s *lumSource) GetMatrix() []byte               { return s.g.pix }
func (s *lumSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }
func (s *lumSource) String() string                  { return gozxing.LuminanceSourceString(s) }
func (s *lumSource) IsCropSupported() bool           { return false }
func (s *lumSource) IsRotateSupported() bool         { return false }
func (s *lumSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("not supported")
}

var hints = map[gozxing.DecodeHintType]any{
	gozxing.DecodeHintType_TRY_HARDER:    true,
	gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
}

// collector gathers distinct texts in the order found.
type collector struct {
	seen  map[string]bool
	texts []string
	work  int64                   // pixels passed so far
	found [][]gozxing.ResultPoint // where each code was found, in the image last passed
}

// maxPassPixels bounds the work of all passes on one image, in pixels
// (each pass counting its image's area): the passes that would go over it
// are skipped. A 1920×1080 screenshot without a code takes about 20
// megapixels of passes, a 12-megapixel photo without one reaches the cap.
const maxPassPixels = 40_000_000

func (c *collector) add(results ...*gozxing.Result) {
	for _, r := range results {
		if r == nil {
			continue
		}
		t := r.GetText()
		if t == "" || c.seen[t] {
			continue
		}
		if c.seen == nil {
			c.seen = make(map[string]bool)
		}
		c.seen[t] = true
		c.texts = append(c.texts, t)
		c.found = append(c.found, r.GetResultPoints())
	}
}

// addText adds one decoded text.
func (c *collector) addText(t string) {
	if t == "" || c.seen[t] {
		return
	}
	if c.seen == nil {
		c.seen = make(map[string]bool)
	}
	c.seen[t] = true
	c.texts = append(c.texts, t)
}

// tryDecode runs the multi-code reader, then the single-code reader (whose
// detector is more forgiving about one code alone), on one binarisation.
// gozxing is a port that can panic on adversarial input; a panic is a
// failed pass, not a crash.
func tryDecode(src gozxing.LuminanceSource, global bool, c *collector) (found bool) {
	defer func() {
		if recover() != nil {
			found = len(c.texts) > 0
		}
	}()
	var bin gozxing.Binarizer
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return false
	}
	n := len(c.texts)
	if rs, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil {
		c.add(rs...)
	}
	if len(c.texts) == n {
		if r, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
			c.add(r)
		}
	}
	return len(c.texts) > n
}

// pass is one attempt on one version of the image.
func pass(g *gray, c *collector) bool {
	if c.work > 0 && c.work+int64(g.w)*int64(g.h) > maxPassPixels {
		return false
	}
	c.work += int64(g.w) * int64(g.h)
	c.found = c.found[:0]
	src := newLumSource(g)
	for how := 0; how < 3; how++ {
		if tryHow(src, how, c) {
			findMore(g, how, c)
			return true
		}
	}
	return false
}

// tryHow is one of a pass's three attempts: 0 as is, 1 inverted, 2 with
// the global threshold.
func tryHow(src gozxing.LuminanceSource, how int, c *collector) bool {
	switch how {
	case 0:
		return tryDecode(src, false, c)
	case 1:
		return tryDecode(src.Invert(), false, c)
	}
	return tryDecode(src, true, c)
}

// findMore looks for further codes next to those found (an export page
// with two or three codes side by side, where the detector settles on
// one): each found code is painted over with its own quiet zone's colour
// and the image read again the way that found the first, as long as that
// finds new codes. Codes with modules under 3 pixels are read again
// enlarged, as the passes do. One more attempt on an image that had a
// code: cheap next to the passes that found it.
func findMore(g *gray, how int, c *collector) {
	var m *gray
	for round := 0; round < 4 && len(c.found) > 0; round++ {
		if m == nil {
			m = &gray{w: g.w, h: g.h, pix: append([]byte(nil), g.pix...)}
		}
		small := false
		for _, pts := range c.found {
			if module := maskCode(m, pts); module > 0 && module < 3 {
				small = true
			}
		}
		c.found = c.found[:0]
		if tryHow(newLumSource(m), how, c) {
			continue
		}
		if long := max(m.w, m.h); small && long < 1200 {
			up := upscale(m, max(2, min(4, 2400/long)))
			if tryHow(newLumSource(up), how, c) {
				c.found = c.found[:0] // points of the enlarged image
				continue
			}
		}
		return
	}
}

// maskCode paints the square a code's finder patterns span (plus 4.5
// modules) with the colour found just outside it, and returns the code's
// module size in pixels (0 when the points do not say).
func maskCode(m *gray, pts []gozxing.ResultPoint) float64 {
	if len(pts) < 3 {
		return 0
	}
	module := 0.0
	for _, p := range pts[:3] {
		if f, ok := p.(interface{ GetEstimatedModuleSize() float64 }); ok {
			module = max(module, f.GetEstimatedModuleSize())
		}
	}
	if module <= 0 {
		return 0
	}
	// The three finder centres and the fourth corner of the
	// parallelogram they make.
	xs := []float64{pts[0].GetX(), pts[1].GetX(), pts[2].GetX(), pts[0].GetX() + pts[2].GetX() - pts[1].GetX()}
	ys := []float64{pts[0].GetY(), pts[1].GetY(), pts[2].GetY(), pts[0].GetY() + pts[2].GetY() - pts[1].GetY()}
	pad := 4.5 * module
	x0, x1 := int(min(xs[0], xs[1], xs[2], xs[3])-pad), int(max(xs[0], xs[1], xs[2], xs[3])+pad)
	y0, y1 := int(min(ys[0], ys[1], ys[2], ys[3])-pad), int(max(ys[0], ys[1], ys[2], ys[3])+pad)
	x0, y0 = max(0, x0), max(0, y0)
	x1, y1 = min(m.w-1, x1), min(m.h-1, y1)
	if x0 >= x1 || y0 >= y1 {
		return module
	}
	var sum, n int
	for _, q := range [][2]int{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		sum += int(m.pix[q[1]*m.w+q[0]])
		n++
	}
	v := byte(sum / n)
	for y := y0; y <= y1; y++ {
		row := m.pix[y*m.w+x0 : y*m.w+x1+1]
		for i := range row {
			row[i] = v
		}
	}
	return module
}

// firstPassSide is the longest side of a large image's first pass: a
// 12-megapixel photo is first read at half size, which finds a code of
// any usual size in a fraction of the time of the full image.
const firstPassSide = 2400

// maxFullPassPixels bounds the image on which a whole-image pass runs at
// full resolution: above it (up to MaxImagePixels) the half-size image is
// the largest pass, which keeps the time of a hostile image without a
// code bounded.
const maxFullPassPixels = 24_000_000

// decodeGray runs every pass on g.
func decodeGray(g *gray) []string {
	texts, _ := decodeLazy(nil, func() (*gray, error) { return g, nil })
	return texts
}

// decodeLazy runs the passes in order of cost and stops at the first that
// finds a code. first, when not nil, is the image already reduced to at
// most firstPassSide (a JPEG decoded with DCT scaling); full gives the
// whole image and is called only when the reduced passes fail. It returns
// ErrNoQR when nothing is found, or full's error.
func decodeLazy(first *gray, full func() (*gray, error)) ([]string, error) {
	c := &collector{}
	var g *gray
	if first == nil {
		var err error
		if g, err = full(); err != nil {
			return nil, err
		}
		first = g
		for max(first.w, first.h) > firstPassSide {
			first = downscale2(first)
		}
	}
	done := func() ([]string, error) {
		if len(c.texts) == 0 {
			return nil, ErrNoQR
		}
		return c.texts, nil
	}
	if pass(first, c) {
		return done()
	}
	// Photos and large screenshots: halve until the long side is near
	// 1000 px; averaging removes noise and sensor blur's ringing.
	for s := first; max(s.w, s.h) > 1200; {
		s = downscale2(s)
		if pass(s, c) {
			return done()
		}
	}
	if g == nil {
		var err error
		if g, err = full(); err != nil {
			return nil, err
		}
	}
	// A reduced first pass: now the sizes between it and the whole image,
	// the whole image last (and only up to maxFullPassPixels).
	if g != first {
		var levels []*gray
		for s := g; s.w > first.w; s = downscale2(s) {
			levels = append(levels, s)
		}
		for i := len(levels) - 1; i >= 0; i-- {
			if l := levels[i]; l.w*l.h <= maxFullPassPixels && pass(l, c) {
				return done()
			}
		}
	}
	long := max(g.w, g.h)
	// A code seen at an angle: gozxing's finder patterns, our geometry.
	if perspectivePass(first, c) {
		return done()
	}
	// Blur and JPEG: restore edges. Noise: a 3×3 mean filter. Both run on
	// the first pass's image, to bound their cost on large inputs.
	if pass(sharpen(first), c) {
		return done()
	}
	if pass(boxBlur(first), c) {
		return done()
	}
	// Small modules (a thumbnail, a dense code in a photo): enlarge to
	// about 2400 pixels, so that the binariser's blocks and the finder's
	// run lengths get room.
	if long < 1200 {
		up := upscale(g, max(2, min(4, 2400/long)))
		if pass(up, c) || perspectivePass(up, c) {
			return done()
		}
		// A small code at an angle, blurred: its edges restored first.
		if perspectivePass(upscale(sharpen(g), max(2, min(3, 2400/long))), c) {
			return done()
		}
	}
	// A small code in a large canvas: overlapping tiles, each enlarged to
	// about 800 px so that its modules are several pixels wide.
	// Tiles are cut from the full image up to 4K, from a halved one above.
	base := g
	for max(base.w, base.h) > 4096 {
		base = downscale2(base)
	}
	for _, n := range []int{2, 3, 4} {
		if long < 1000 {
			break
		}
		tw, th := 2*base.w/(n+1), 2*base.h/(n+1)
		for ty := 0; ty < n; ty++ {
			for tx := 0; tx < n; tx++ {
				if c.work+int64(tw)*int64(th) > maxPassPixels {
					return done()
				}
				t := crop(base, tx*base.w/(n+1), ty*base.h/(n+1), tw, th)
				if f := 800 / max(t.w, t.h); f >= 2 {
					t = upscale(t, min(f, 4))
				}
				pass(t, c)
			}
		}
		if len(c.texts) > 0 {
			return done()
		}
	}
	return done()
}

func downscale2(g *gray) *gray {
	w, h := g.w/2, g.h/2
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		r0 := g.pix[2*y*g.w:]
		r1 := g.pix[(2*y+1)*g.w:]
		o := out.pix[y*w : (y+1)*w]
		for x := range o {
			o[x] = byte((uint32(r0[2*x]) + uint32(r0[2*x+1]) + uint32(r1[2*x]) + uint32(r1[2*x+1]) + 2) / 4)
		}
	}
	return out
}

func upscale(g *gray, f int) *gray {
	w, h := g.w*f, g.h*f
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	// Bilinear, so that edges stay smooth for the binariser.
	for y := 0; y < h; y++ {
		fy := (float32(y)+0.5)/float32(f) - 0.5
		y0 := int(fy)
		if fy < 0 {
			fy, y0 = 0, 0
		}
		y1 := min(y0+1, g.h-1)
		wy := fy - float32(y0)
		o := out.pix[y*w : (y+1)*w]
		for x := range o {
			fx := (float32(x)+0.5)/float32(f) - 0.5
			x0 := int(fx)
			if fx < 0 {
				fx, x0 = 0, 0
			}
			x1 := min(x0+1, g.w-1)
			wx := fx - float32(x0)
			a := float32(g.pix[y0*g.w+x0])*(1-wx) + float32(g.pix[y0*g.w+x1])*wx
			b := float32(g.pix[y1*g.w+x0])*(1-wx) + float32(g.pix[y1*g.w+x1])*wx
			o[x] = byte(a*(1-wy) + b*wy + 0.5)
		}
	}
	return out
}

func boxBlur(g *gray) *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			var sum, n uint32
			for dy := -1; dy <= 1; dy++ {
				yy := y + dy
				if yy < 0 || yy >= g.h {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= g.w {
						continue
					}
					sum += uint32(g.pix[yy*g.w+xx])
					n++
				}
			}
			out.pix[y*g.w+x] = byte(sum / n)
		}
	}
	return out
}

func crop(g *gray, x0, y0, w, h int) *gray {
	w = min(w, g.w-x0)
	h = min(h, g.h-y0)
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		copy(out.pix[y*w:(y+1)*w], g.pix[(y0+y)*g.w+x0:])
	}
	return out
}

// sharpen is an unsharp mask (2×original − 3×3 mean): it restores the
// module edges that blur and JPEG soften.
func sharpen(g *gray) *gray {
	b := boxBlur(g)
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, p := range g.pix {
		v := 2*int(p) - int(b.pix[i])
		out.pix[i] = byte(max(0, min(255, v)))
	}
	return out
}
