// Package qrgen makes QR test images with an encoder other than the
// decoder's (boombuler/barcode, the one pquerna/otp's Key.Image uses) and
// degrades them the way screenshots and photos are degraded: scaled,
// rotated, inverted, blurred, noisy, JPEG-compressed, low-contrast or small
// inside a large cluttered canvas. It serves the scanner's tests and its
// benchmark corpus; everything is deterministic for a given seed.
package qrgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"

	"github.com/boombuler/barcode/qr"
)

// Code renders text as a grey QR image with module pixels per module and
// quiet modules of white border (0 is allowed: pquerna's images have none).
func Code(text string, module, quiet int) (*image.Gray, error) {
	bc, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	n := bc.Bounds().Dx()
	side := (n + 2*quiet) * module
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := bc.At(x, y).RGBA(); r >= 0x8000 {
				continue
			}
			for dy := 0; dy < module; dy++ {
				for dx := 0; dx < module; dx++ {
					img.Pix[((y+quiet)*module+dy)*img.Stride+(x+quiet)*module+dx] = 0
				}
			}
		}
	}
	return img, nil
}

// Invert swaps dark and light.
func Invert(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Rect)
	for i, p := range g.Pix {
		out.Pix[i] = 255 - p
	}
	return out
}

// Contrast maps black to lo and white to hi.
func Contrast(g *image.Gray, lo, hi uint8) *image.Gray {
	out := image.NewGray(g.Rect)
	for i, p := range g.Pix {
		out.Pix[i] = uint8(int(lo) + (int(hi)-int(lo))*int(p)/255)
	}
	return out
}

func at(g *image.Gray, x, y int, bg uint8) float64 {
	if x < 0 || y < 0 || x >= g.Rect.Dx() || y >= g.Rect.Dy() {
		return float64(bg)
	}
	return float64(g.Pix[y*g.Stride+x])
}

func bilinear(g *image.Gray, fx, fy float64, bg uint8) uint8 {
	x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
	wx, wy := fx-float64(x0), fy-float64(y0)
	a := at(g, x0, y0, bg)*(1-wx) + at(g, x0+1, y0, bg)*wx
	b := at(g, x0, y0+1, bg)*(1-wx) + at(g, x0+1, y0+1, bg)*wx
	return uint8(math.Round(a*(1-wy) + b*wy))
}

// Scale resizes by f with bilinear sampling (f < 1 shrinks, blurring
// module edges as a screenshot scaler does).
func Scale(g *image.Gray, f float64) *image.Gray {
	w := max(1, int(float64(g.Rect.Dx())*f))
	h := max(1, int(float64(g.Rect.Dy())*f))
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[y*out.Stride+x] = bilinear(g, (float64(x)+0.5)/f-0.5, (float64(y)+0.5)/f-0.5, 255)
		}
	}
	return out
}

// Rotate turns the image by deg degrees about its centre, growing the
// canvas to hold it and filling the corners with bg.
func Rotate(g *image.Gray, deg float64, bg uint8) *image.Gray {
	rad := deg * math.Pi / 180
	s, c := math.Sin(rad), math.Cos(rad)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	nw := int(math.Ceil(math.Abs(w*c) + math.Abs(h*s)))
	nh := int(math.Ceil(math.Abs(w*s) + math.Abs(h*c)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	cx, cy := w/2, h/2
	ncx, ncy := float64(nw)/2, float64(nh)/2
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			dx, dy := float64(x)+0.5-ncx, float64(y)+0.5-ncy
			sx := c*dx + s*dy + cx - 0.5
			sy := -s*dx + c*dy + cy - 0.5
			out.Pix[y*out.Stride+x] = bilinear(g, sx, sy, bg)
		}
	}
	return out
}

// Blur applies a box blur of the given radius, twice (close to Gaussian).
func Blur(g *image.Gray, radius int) *image.Gray {
	if radius <= 0 {
		return g
	}
	return boxH(boxV(boxH(boxV(g, radius), radius), radius), radius)
}

func boxH(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum, n := 0, 0
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				sum += int(g.Pix[y*g.Stride+k])
				n++
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}

func boxV(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum, n := 0, 0
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				sum += int(g.Pix[k*g.Stride+x])
				n++
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}

// Noise adds Gaussian noise of standard deviation sigma grey levels.
func Noise(g *image.Gray, sigma float64, rng *rand.Rand) *image.Gray {
	out := image.NewGray(g.Rect)
	for i, p := range g.Pix {
		v := float64(p) + rng.NormFloat64()*sigma
		out.Pix[i] = uint8(max(0, min(255, math.Round(v))))
	}
	return out
}

// Canvas is a w×h screenshot-like background: a light page with grey
// panels, dark text-like bars and a few dark blocks, drawn from rng.
func Canvas(w, h int, rng *rand.Rand) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 245
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		for y := max(0, y0); y < min(h, y1); y++ {
			for x := max(0, x0); x < min(w, x1); x++ {
				img.Pix[y*img.Stride+x] = v
			}
		}
	}
	// Title bar and panels.
	fill(0, 0, w, h/20, 60)
	for i := 0; i < 4; i++ {
		x, y := rng.IntN(w), rng.IntN(h)
		fill(x, y, x+rng.IntN(w/3+1), y+rng.IntN(h/3+1), uint8(200+rng.IntN(40)))
	}
	// Lines of "text": short dark bars.
	for line := h / 12; line < h-10; line += 18 + rng.IntN(10) {
		x := 10 + rng.IntN(40)
		for x < w-20 && rng.IntN(12) != 0 {
			word := 8 + rng.IntN(50)
			fill(x, line, x+word, line+8, uint8(20+rng.IntN(60)))
			x += word + 6
		}
	}
	return img
}

// Paste draws src onto dst with its top-left corner at (x, y).
func Paste(dst, src *image.Gray, x, y int) {
	for sy := 0; sy < src.Rect.Dy(); sy++ {
		dy := y + sy
		if dy < 0 || dy >= dst.Rect.Dy() {
			continue
		}
		for sx := 0; sx < src.Rect.Dx(); sx++ {
			dx := x + sx
			if dx < 0 || dx >= dst.Rect.Dx() {
				continue
			}
			dst.Pix[dy*dst.Stride+dx] = src.Pix[sy*src.Stride+sx]
		}
	}
}

// PNG encodes an image.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // in-memory encoding of a valid image cannot fail
	}
	return b.Bytes()
}

// JPEG encodes an image at a quality from 1 to 100.
func JPEG(img image.Image, quality int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Sample is one generated test image.
type Sample struct {
	Name string   // what was done to it
	Ext  string   // "png" or "jpg"
	Data []byte   // the encoded file
	Want string   // the text encoded
	More []string // further codes the image holds (side by side)
}

// Payload returns a plausible QR payload of sample i: otpauth URIs of
// several lengths and, every fifth, a Google Authenticator export.
func Payload(i int, rng *rand.Rand) string {
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secret := make([]byte, 16+8*rng.IntN(5))
	for k := range secret {
		secret[k] = b32[rng.IntN(32)]
	}
	issuers := []string{"Example", "ACME Co", "GitHub", "Alibaba Cloud", "Contoso", "Ünïcode Bank"}
	iss := issuers[rng.IntN(len(issuers))]
	if i%5 == 4 {
		// A migration-like payload: long Base64 data with '+' and '/'.
		raw := make([]byte, 40+rng.IntN(400))
		for k := range raw {
			raw[k] = byte(rng.IntN(256))
		}
		return "otpauth-migration://offline?data=" + b64URL(raw)
	}
	return fmt.Sprintf("otpauth://totp/%s:user%d%%40example.com?secret=%s&issuer=%s&period=30", escapeIssuer(iss), i, secret, escapeIssuer(iss))
}

func escapeIssuer(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func b64URL(raw []byte) string {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var b bytes.Buffer
	for i := 0; i+2 < len(raw); i += 3 {
		v := uint(raw[i])<<16 | uint(raw[i+1])<<8 | uint(raw[i+2])
		for s := 18; s >= 0; s -= 6 {
			c := alpha[(v>>uint(s))&63]
			switch c {
			case '+':
				b.WriteString("%2B")
			case '/':
				b.WriteString("%2F")
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// Variant names, one per kind of degradation in the corpus.
var Variants = []string{"plain", "scaled", "rotated", "inverted", "noisy", "blurred", "jpeg", "lowcontrast", "screenshot", "photo",
	"keystone", "quietzone", "sidebyside", "chrome"}

// Make renders text in the given variant, drawing its parameters from rng.
func Make(variant, text string, rng *rand.Rand) (Sample, error) {
	module := 2 + rng.IntN(6)
	img, err := Code(text, module, 4)
	if err != nil {
		return Sample{}, err
	}
	s := Sample{Name: variant, Ext: "png", Want: text}
	switch variant {
	case "plain":
	case "scaled":
		f := 0.6 + rng.Float64()*2
		img = Scale(img, f)
		s.Name = fmt.Sprintf("scaled×%.2f", f)
	case "rotated":
		deg := float64(rng.IntN(360))
		img = Rotate(img, deg, 255)
		s.Name = fmt.Sprintf("rotated %.0f°", deg)
	case "inverted":
		img = Invert(img)
	case "noisy":
		sigma := 10 + rng.Float64()*30
		img = Noise(img, sigma, rng)
		s.Name = fmt.Sprintf("noise σ=%.0f", sigma)
	case "blurred":
		img = Blur(Scale(img, 2), 1+rng.IntN(2))
	case "jpeg":
		s.Ext, s.Data = "jpg", JPEG(img, 20+rng.IntN(50))
		return s, nil
	case "lowcontrast":
		lo := uint8(60 + rng.IntN(50))
		img = Contrast(img, lo, lo+60+uint8(rng.IntN(40)))
	case "screenshot":
		c := Canvas(1920, 1080, rng)
		small := Code2(text, 2+rng.IntN(3))
		Paste(c, small, rng.IntN(1920-small.Rect.Dx()), rng.IntN(1080-small.Rect.Dy()))
		img = c
	case "photo":
		// Rotated a little, blurred, noisy, on a grey table, JPEG.
		img = Rotate(img, rng.Float64()*30-15, 140)
		img = Blur(img, 1)
		img = Noise(img, 6+rng.Float64()*8, rng)
		c := image.NewGray(image.Rect(0, 0, img.Rect.Dx()*3/2, img.Rect.Dy()*3/2))
		for i := range c.Pix {
			c.Pix[i] = 120
		}
		Paste(c, img, img.Rect.Dx()/4, img.Rect.Dy()/4)
		s.Ext, s.Data = "jpg", JPEG(c, 70)
		return s, nil
	case "keystone":
		// A monitor photographed at an angle: one side 15–35 % shorter.
		k := 0.15 + rng.Float64()*0.20
		side := rng.IntN(4)
		code, _ := Code(text, 3+rng.IntN(4), 2)
		img = Keystone(code, k, side, uint8(200+rng.IntN(50)))
		if rng.IntN(2) == 0 {
			img = Blur(img, 1)
		}
		s.Name = fmt.Sprintf("keystone %.0f%% side %d", 100*k, side)
	case "quietzone":
		img, s.Name = quietZone(text, rng)
	case "sidebyside":
		// An export page: two codes next to each other, a module or two
		// apart, on a light page.
		other := Payload(1000+rng.IntN(1000), rng)
		m := 2 + rng.IntN(3)
		a, b := Code2(text, m), Code2(other, m)
		gap := -m * rng.IntN(5) // quiet zones of 4 modules each, overlapping by 0–4
		c := image.NewGray(image.Rect(0, 0, a.Rect.Dx()+b.Rect.Dx()+gap+80, max(a.Rect.Dy(), b.Rect.Dy())+80))
		for i := range c.Pix {
			c.Pix[i] = 250
		}
		Paste(c, a, 40, 40)
		Paste(c, b, 40+a.Rect.Dx()+gap, 40)
		img = c
		s.More = []string{other}
		s.Name = fmt.Sprintf("side by side, gap %d modules", 8+gap/m)
		if f := 0.6 + 0.4*rng.Float64(); rng.IntN(2) == 0 {
			img = Scale(img, f)
			s.Name += fmt.Sprintf(", scaled×%.2f", f)
		}
	case "chrome":
		img = chrome(text, rng)
		if rng.IntN(2) == 0 {
			s.Ext, s.Data = "jpg", JPEG(img, 60+rng.IntN(35))
			return s, nil
		}
	default:
		return s, fmt.Errorf("unknown variant %q", variant)
	}
	s.Data = PNG(img)
	return s, nil
}

// Code2 is Code with a quiet zone of 4 and a panic-free signature for
// payloads known to fit.
func Code2(text string, module int) *image.Gray {
	img, err := Code(text, module, 4)
	if err != nil {
		panic(err)
	}
	return img
}

// Corpus returns n samples cycling through Variants, reproducible from
// seed.
func Corpus(n int, seed uint64) ([]Sample, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Sample, 0, n)
	for i := 0; i < n; i++ {
		s, err := Make(Variants[i%len(Variants)], Payload(i, rng), rng)
		if err != nil {
			return nil, err
		}
		s.Name = fmt.Sprintf("%03d-%s", i, s.Name)
		out = append(out, s)
	}
	return out, nil
}

// Gray converts any image to *image.Gray.
func Gray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Pix[y*out.Stride+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
	}
	return out
}

// Photo is a w×h colour "phone photo" holding one small QR code (module
// pixels per module, tilted a little, on a sheet of paper), on a textured,
// shaded background with sensor noise. It is returned as an RGBA image
// for JPEG encoding (4:2:0, as cameras write them).
func Photo(w, h int, text string, module int, rng *rand.Rand) *image.RGBA {
	bg := image.NewGray(image.Rect(0, 0, w, h))
	// Shading and large blotches, like a desk under a lamp.
	type blob struct{ x, y, r, v float64 }
	var blobs []blob
	for i := 0; i < 12; i++ {
		blobs = append(blobs, blob{rng.Float64() * float64(w), rng.Float64() * float64(h), float64(w) * (0.05 + rng.Float64()*0.2), rng.Float64()*80 - 40})
	}
	for y := 0; y < h; y += 4 {
		for x := 0; x < w; x += 4 {
			v := 110 + 50*float64(x)/float64(w) - 30*float64(y)/float64(h)
			for _, b := range blobs {
				dx, dy := float64(x)-b.x, float64(y)-b.y
				if d := dx*dx + dy*dy; d < b.r*b.r {
					v += b.v * (1 - d/(b.r*b.r))
				}
			}
			c := uint8(max(0, min(255, v)))
			for yy := y; yy < min(h, y+4); yy++ {
				for xx := x; xx < min(w, x+4); xx++ {
					bg.Pix[yy*bg.Stride+xx] = c
				}
			}
		}
	}
	// The code on a sheet of paper, a little tilted and out of focus.
	code := Contrast(Code2(text, module), 25, 235) // 0 marks "no sheet" below
	sheet := image.NewGray(image.Rect(0, 0, code.Rect.Dx()*2, code.Rect.Dy()*5/2))
	for i := range sheet.Pix {
		sheet.Pix[i] = 235
	}
	Paste(sheet, code, code.Rect.Dx()/2, code.Rect.Dy()/2)
	for line := code.Rect.Dy()*3/2 + 20; line < sheet.Rect.Dy()-10; line += 3 * module {
		for x := 20; x < sheet.Rect.Dx()-40; x += 40 + rng.IntN(30) {
			for yy := line; yy < line+module; yy++ {
				for xx := x; xx < x+30; xx++ {
					sheet.Pix[yy*sheet.Stride+xx] = 60
				}
			}
		}
	}
	tilted := Blur(Rotate(sheet, rng.Float64()*16-8, 0), 1)
	ox, oy := w/3+rng.IntN(w/3), h/3+rng.IntN(h/3)
	for y := 0; y < tilted.Rect.Dy(); y++ {
		for x := 0; x < tilted.Rect.Dx(); x++ {
			if v := tilted.Pix[y*tilted.Stride+x]; v != 0 && ox+x < w && oy+y < h {
				bg.Pix[(oy+y)*bg.Stride+ox+x] = v
			}
		}
	}
	out := image.NewRGBA(bg.Rect)
	for i, v := range bg.Pix {
		n := rng.NormFloat64() * 4
		l := float64(v) + n
		out.Pix[4*i] = uint8(max(0, min(255, l*1.05+8)))
		out.Pix[4*i+1] = uint8(max(0, min(255, l)))
		out.Pix[4*i+2] = uint8(max(0, min(255, l*0.9)))
		out.Pix[4*i+3] = 255
	}
	return out
}

// homography maps the unit square's corners (0,0), (1,0), (1,1), (0,1) to
// the four points q, returning the 3×3 matrix (row-major, h[8] = 1).
func homography(q [4][2]float64) [9]float64 {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	dx3, dy3 := x0-x1+x2-x3, y0-y1+y2-y3
	if dx3 == 0 && dy3 == 0 {
		return [9]float64{x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0, 1}
	}
	dx1, dx2, dy1, dy2 := x1-x2, x3-x2, y1-y2, y3-y2
	den := dx1*dy2 - dx2*dy1
	a13 := (dx3*dy2 - dx2*dy3) / den
	a23 := (dx1*dy3 - dx3*dy1) / den
	return [9]float64{x1 - x0 + a13*x1, x3 - x0 + a23*x3, x0, y1 - y0 + a13*y1, y3 - y0 + a23*y3, y0, a13, a23, 1}
}

func invert3(m [9]float64) [9]float64 {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	A, B, C := e*i-f*h, -(d*i - f*g), d*h-e*g
	det := a*A + b*B + c*C
	return [9]float64{A / det, -(b*i - c*h) / det, (b*f - c*e) / det, B / det, (a*i - c*g) / det, -(a*f - c*d) / det, C / det, -(a*h - b*g) / det, (a*e - b*d) / det}
}

// Warp maps g's corners to the points q (top-left, top-right,
// bottom-right, bottom-left) on a w×h canvas of bg: a perspective
// (keystone) view of a flat code.
func Warp(g *image.Gray, q [4][2]float64, w, h int, bg uint8) *image.Gray {
	inv := invert3(homography(q))
	sw, sh := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			X, Y := float64(x)+0.5, float64(y)+0.5
			d := inv[6]*X + inv[7]*Y + inv[8]
			u := (inv[0]*X + inv[1]*Y + inv[2]) / d
			v := (inv[3]*X + inv[4]*Y + inv[5]) / d
			if u < 0 || u > 1 || v < 0 || v > 1 {
				out.Pix[y*out.Stride+x] = bg
				continue
			}
			out.Pix[y*out.Stride+x] = bilinear(g, u*sw-0.5, v*sh-0.5, bg)
		}
	}
	return out
}

// Keystone is g seen at an angle: one side shorter than the opposite one
// by the fraction k (0.15 is 15 %), on side 0–3 (top, right, bottom,
// left), on a canvas with a margin of bg.
func Keystone(g *image.Gray, k float64, side int, bg uint8) *image.Gray {
	s := float64(g.Rect.Dx())
	m := s / 8
	d := s * k / 2
	q := [4][2]float64{{m, m}, {m + s, m}, {m + s, m + s}, {m, m + s}}
	switch side {
	case 0: // top narrower
		q[0][0] += d
		q[1][0] -= d
	case 1: // right shorter
		q[1][1] += d
		q[2][1] -= d
	case 2:
		q[3][0] += d
		q[2][0] -= d
	default:
		q[0][1] += d
		q[3][1] -= d
	}
	n := int(s + 2*m)
	return Warp(g, q, n, n, bg)
}

// quietZone draws a code with no or a thin (one-module) quiet zone: flush
// with the image's edge, or against dark page elements.
func quietZone(text string, rng *rand.Rand) (*image.Gray, string) {
	m := 3 + rng.IntN(4)
	quiet := rng.IntN(2)
	code, _ := Code(text, m, quiet)
	if rng.IntN(3) == 0 {
		return code, fmt.Sprintf("quiet zone %d, edge to edge", quiet) // the image is the code
	}
	n := code.Rect.Dx()
	c := image.NewGray(image.Rect(0, 0, n+8*m, n+8*m))
	for i := range c.Pix {
		c.Pix[i] = 245
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		for y := max(0, y0); y < min(c.Rect.Dy(), y1); y++ {
			for x := max(0, x0); x < min(c.Rect.Dx(), x1); x++ {
				c.Pix[y*c.Stride+x] = v
			}
		}
	}
	// Dark borders, text bars or a frame right next to the code.
	o := 4 * m
	layout := rng.IntN(3)
	if quiet == 0 && layout == 0 {
		// A dark frame touching the code's own dark edge leaves no way
		// to tell where the code ends; no reader reads that.
		layout = 1
	}
	switch layout {
	case 0: // a dark frame around it
		fill(o-2*m, o-2*m, o+n+2*m, o+n+2*m, 40)
	case 1: // text lines above and below
		for x := 0; x < c.Rect.Dx(); x += 5 * m {
			fill(x, o-3*m, x+4*m, o-m, 30)
			fill(x, o+n+m, x+3*m, o+n+3*m, 30)
		}
	default: // a dark panel on the left and top
		fill(0, 0, o, c.Rect.Dy(), 50)
		fill(0, 0, c.Rect.Dx(), o, 50)
	}
	Paste(c, code, o, o)
	return c, fmt.Sprintf("quiet zone %d, %s", quiet, []string{"dark frame", "text lines", "dark panel"}[layout])
}

// chrome is a screenshot of an app window showing a code: a title bar, a
// toolbar and a side panel, light or dark theme, the code on a card with a
// margin of one or two modules, the whole scaled as a HiDPI screen's
// screenshot often is.
func chrome(text string, rng *rand.Rand) *image.Gray {
	w, h := 1280+rng.IntN(640), 800+rng.IntN(300)
	dark := rng.IntN(2) == 0
	bgv, panel, ink, bar := uint8(246), uint8(228), uint8(40), uint8(210)
	if dark {
		bgv, panel, ink, bar = 32, 45, 200, 20
	}
	c := image.NewGray(image.Rect(0, 0, w, h))
	for i := range c.Pix {
		c.Pix[i] = bgv
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		for y := max(0, y0); y < min(h, y1); y++ {
			for x := max(0, x0); x < min(w, x1); x++ {
				c.Pix[y*c.Stride+x] = v
			}
		}
	}
	fill(0, 0, w, 36, bar)                   // title bar
	fill(0, 36, w, 84, panel)                // toolbar
	fill(0, 84, 220+rng.IntN(100), h, panel) // side panel
	for y := 100; y < h-30; y += 28 {
		fill(20, y, 20+60+rng.IntN(100), y+10, ink) // menu entries
	}
	for x := 12; x < w-200; x += 90 {
		fill(x, 48, x+60, 72, ink/2+bgv/2) // toolbar buttons
	}
	m := 2 + rng.IntN(3)
	margin := m * (1 + rng.IntN(2))
	code, _ := Code(text, m, 0)
	n := code.Rect.Dx()
	cx, cy := 360+rng.IntN(max(1, w-460-n)), 120+rng.IntN(max(1, h-180-n))
	fill(cx-margin, cy-margin, cx+n+margin, cy+n+margin, 255) // the card
	Paste(c, code, cx, cy)
	// Text next to the card.
	for y := cy; y < cy+n; y += 26 {
		fill(cx+n+margin+24, y, cx+n+margin+24+80+rng.IntN(200), y+11, ink)
	}
	if f := []float64{1, 1, 0.75, 0.5 + 0.25*rng.Float64()}[rng.IntN(4)]; f != 1 && float64(m)*f >= 1.5 {
		return Scale(c, f)
	}
	return c
}
