package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
	"github.com/vmfa/vmfa/scanner/internal/qrgen"
	"github.com/vmfa/vmfa/vault"
	"golang.org/x/image/bmp"
)

const testURI = "otpauth://totp/ACME%20Co:john.doe@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeOne(t *testing.T, data []byte) []string {
	t.Helper()
	texts, err := DecodeReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return texts
}

// TestQRPNGRoundTrip: vmfa's own encoder (boombuler) → PNG → decoder
// (gozxing), at several sizes.
func TestQRPNGRoundTrip(t *testing.T) {
	for _, size := range []int{0, 100, 256, 1000} {
		data, err := QRPNG(testURI, size)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width < size {
			t.Errorf("size %d: image is %d wide", size, cfg.Width)
		}
		if got := decodeOne(t, data); len(got) != 1 || got[0] != testURI {
			t.Errorf("size %d: got %q", size, got)
		}
	}
	// Raw UTF-8 (not percent-encoded) survives: byte segments are read as
	// UTF-8, not guessed as Shift_JIS or Latin-1.
	for _, text := range []string{"otpauth://totp/Über Bank:jürgen?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/銀行:ユーザー?secret=JBSWY3DPEHPK3PXP"} {
		data, err := QRPNG(text, 300)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeOne(t, data); len(got) != 1 || got[0] != text {
			t.Errorf("got %q, want %q", got, text)
		}
	}
	if _, err := QRPNG(strings.Repeat("x", 5000), 100); err == nil {
		t.Error("5000 bytes encoded in one QR code")
	}
}

// TestPquernaKeyImage decodes the image pquerna/otp makes for enrollment
// (boombuler/barcode, no quiet zone).
func TestPquernaKeyImage(t *testing.T) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Example Co", AccountName: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := key.Image(300, 300)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := DecodeImage(img)
	if err != nil {
		t.Fatal(err)
	}
	accs, err := ParseURI(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	if vault.EncodeSecret(accs[0].Secret) != strings.TrimRight(key.Secret(), "=") || accs[0].Issuer != "Example Co" || accs[0].Name != "alice@example.com" {
		t.Errorf("got %+v from %s", accs[0], key.URL())
	}
}

// TestDecodeVariants: each degradation the scanner must survive, made in
// the test by a different encoder than the decoder.
func TestDecodeVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	code := qrgen.Code2(testURI, 6)
	canvas := qrgen.Canvas(1920, 1080, rng)
	qrgen.Paste(canvas, qrgen.Code2(testURI, 2), 1500, 800) // small code, bottom right
	photo := qrgen.Noise(qrgen.Blur(qrgen.Rotate(code, 12, 150), 1), 12, rng)
	tests := []struct {
		name string
		img  image.Image
	}{
		{"plain", code},
		{"rotated 90", qrgen.Rotate(code, 90, 255)},
		{"rotated 180", qrgen.Rotate(code, 180, 255)},
		{"rotated 33", qrgen.Rotate(code, 33, 255)},
		{"scaled down 0.55", qrgen.Scale(code, 0.55)},
		{"scaled up 3.3", qrgen.Scale(code, 3.3)},
		{"inverted", qrgen.Invert(code)},
		{"inverted rotated", qrgen.Rotate(qrgen.Invert(code), 20, 0)},
		{"noisy", qrgen.Noise(code, 40, rng)},
		{"blurred", qrgen.Blur(code, 2)},
		{"low contrast", qrgen.Contrast(code, 90, 160)},
		{"small in 1920x1080 screenshot", canvas},
		{"photo: tilted, blurred, noisy", photo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			texts, err := DecodeImage(tt.img)
			if err != nil {
				t.Fatal(err)
			}
			if len(texts) != 1 || texts[0] != testURI {
				t.Errorf("got %q", texts)
			}
		})
	}
}

func TestDecodeSeveralCodes(t *testing.T) {
	other := "otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQ&counter=3"
	c := image.NewGray(image.Rect(0, 0, 900, 450))
	for i := range c.Pix {
		c.Pix[i] = 255
	}
	qrgen.Paste(c, qrgen.Code2(testURI, 4), 10, 10)
	qrgen.Paste(c, qrgen.Code2(other, 4), 470, 20)
	texts, err := DecodeImage(c)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts, "\n")
	if len(texts) != 2 || !strings.Contains(got, testURI) || !strings.Contains(got, other) {
		t.Errorf("got %q", texts)
	}
}

func TestDecodeFileFormats(t *testing.T) {
	img, err := QRImage(testURI, 300)
	if err != nil {
		t.Fatal(err)
	}
	var g, b bytes.Buffer
	if err := gif.Encode(&g, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	// A transparent background must read as white.
	nrgba := image.NewNRGBA(img.Rect)
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			if img.ColorIndexAt(x, y) == 1 {
				nrgba.Set(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	for name, data := range map[string][]byte{
		"code.gif":         g.Bytes(),
		"code.bmp":         b.Bytes(),
		"code.jpg":         qrgen.JPEG(img, 60),
		"transparent.png":  qrgen.PNG(nrgba),
		"misnamed-png.jpg": qrgen.PNG(img),
	} {
		texts, err := DecodeFile(writeFile(t, name, data))
		if err != nil || len(texts) != 1 || texts[0] != testURI {
			t.Errorf("%s: %q %v", name, texts, err)
		}
	}
	// WebP has a decoder only in Go; these were made from QRPNG(testURI,
	// 200) by cwebp (Debian webp), lossy and lossless.
	for _, name := range []string{"qr-lossy.webp", "qr-lossless.webp"} {
		texts, err := DecodeFile(filepath.Join("testdata", "images", name))
		if err != nil || len(texts) != 1 || texts[0] != testURI {
			t.Errorf("%s: %q %v", name, texts, err)
		}
	}
}

// pngHeader returns a PNG that claims w×h pixels but holds no image data:
// the header of a decompression bomb.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeBadImages(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	noise := qrgen.Noise(blank, 80, rand.New(rand.NewPCG(1, 2)))
	tests := []struct {
		name string
		data []byte
		is   error
		msg  string // with FILE for the path
	}{
		{"blank.png", qrgen.PNG(blank), ErrNoQR, "no QR code found in FILE"},
		{"noise.png", qrgen.PNG(noise), ErrNoQR, "no QR code found in FILE"},
		{"bomb.png", pngHeader(100000, 100000), ErrImageTooLarge, "FILE: image is too large: 100000×100000 pixels (at most 50 megapixels)"},
		{"text.png", []byte("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"), ErrImageFormat, "FILE: not a supported image (want PNG, JPEG, GIF, BMP or WebP)"},
		{"empty.png", nil, ErrImageFormat, "FILE: not a supported image (want PNG, JPEG, GIF, BMP or WebP)"},
		{"truncated.png", qrgen.PNG(blank)[:100], ErrImageDamaged, "FILE: image is damaged or cut short (png: invalid format: not enough pixel data)"},
		{"header-only.png", pngHeader(10, 10)[:20], ErrImageDamaged, "FILE: image is damaged or cut short (unexpected EOF)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.name, tt.data)
			_, err := DecodeFile(p)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			if want := strings.ReplaceAll(tt.msg, "FILE", p); err.Error() != want {
				t.Errorf("message\n got %q\nwant %q", err, want)
			}
		})
	}
	if _, err := DecodeFile(filepath.Join(t.TempDir(), "missing.png")); err == nil || !strings.HasSuffix(err.Error(), "missing.png: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDecodeOversizedFile(t *testing.T) {
	r := bytes.NewReader(make([]byte, MaxImageBytes+10))
	if _, err := DecodeReader(r); !errors.Is(err, ErrImageTooLarge) || err.Error() != "image is too large: the file is over 64 MiB" {
		t.Errorf("got %v", err)
	}
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// halfBlocksImage turns a half-block drawing back into pixels: each
// character cell is 2 modules tall; glyph pixels take the "ink" value.
func halfBlocksImage(t *testing.T, s string, ink, paper uint8) *image.Gray {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(sgr.ReplaceAllString(s, ""), "\n"), "\n")
	w := len([]rune(lines[0]))
	const px = 4
	img := image.NewGray(image.Rect(0, 0, w*px, 2*len(lines)*px))
	for y, line := range lines {
		r := []rune(line)
		if len(r) != w {
			t.Fatalf("line %d is %d wide, not %d", y, len(r), w)
		}
		for x, c := range r {
			var top, bot bool
			switch c {
			case '█':
				top, bot = true, true
			case '▀':
				top = true
			case '▄':
				bot = true
			case ' ':
			default:
				t.Fatalf("unexpected rune %q", c)
			}
			for dy := 0; dy < 2*px; dy++ {
				on := top
				if dy >= px {
					on = bot
				}
				v := paper
				if on {
					v = ink
				}
				for dx := 0; dx < px; dx++ {
					img.Pix[(2*y*px+dy)*img.Stride+x*px+dx] = v
				}
			}
		}
	}
	return img
}

// TestQRHalfBlocks reads the terminal drawing back as an image: as a light
// terminal shows it (dark glyphs) and, for the inverted plain form, as a
// dark terminal shows it (light glyphs on black).
func TestQRHalfBlocks(t *testing.T) {
	col, err := QRHalfBlocks(testURI)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(col, "\n"), "\n") {
		if !strings.HasPrefix(line, sgrBlackOnWhite) || !strings.HasSuffix(line, sgrReset) {
			t.Fatalf("line does not set its own colours: %q", line)
		}
	}
	plainDark, err := QRHalfBlocksPlain(testURI, true)
	if err != nil {
		t.Fatal(err)
	}
	plainLight, _ := QRHalfBlocksPlain(testURI, false)
	if sgr.ReplaceAllString(col, "") != plainLight {
		t.Error("coloured and plain light drawings differ in their glyphs")
	}
	for name, img := range map[string]*image.Gray{
		"coloured (black ink on white)": halfBlocksImage(t, col, 0, 255),
		"plain, dark terminal":          halfBlocksImage(t, plainDark, 230, 20),
	} {
		texts, err := DecodeImage(img)
		if err != nil || len(texts) != 1 || texts[0] != testURI {
			t.Errorf("%s: %q %v", name, texts, err)
		}
	}
	// The quiet zone: first line blank in the light drawing, solid in the
	// dark one.
	first := strings.Split(plainLight, "\n")[0]
	if strings.Trim(first, " ") != "" {
		t.Errorf("no quiet zone: %q", first)
	}
	if strings.Trim(strings.Split(plainDark, "\n")[0], "█") != "" {
		t.Errorf("no quiet zone in the dark drawing")
	}
}

// TestDecodeLargeNoisy: a 1.6k-pixel photo of a code under heavy noise,
// which the first pass misses and the halved image reads.
func TestDecodeLargeNoisy(t *testing.T) {
	img := qrgen.Noise(qrgen.Code2(testURI, 40), 90, rand.New(rand.NewPCG(5, 5)))
	if img.Rect.Dx() <= 1200 {
		t.Fatalf("test image is only %d wide", img.Rect.Dx())
	}
	if c := (&collector{}); pass(toGray(img), c) {
		t.Log("the first pass already reads it; the test no longer covers the downscaled passes")
	}
	texts, err := DecodeImage(img)
	if err != nil || len(texts) != 1 || texts[0] != testURI {
		t.Errorf("got %q %v", texts, err)
	}
}

// TestDecodeAllPassesEmpty runs every pass, crops included, over a
// cluttered screenshot without a code.
func TestDecodeAllPassesEmpty(t *testing.T) {
	c := qrgen.Canvas(1920, 1080, rand.New(rand.NewPCG(9, 9)))
	if texts, err := DecodeImage(c); !errors.Is(err, ErrNoQR) {
		t.Errorf("got %q %v", texts, err)
	}
}

func TestResamplers(t *testing.T) {
	g := &gray{w: 4, h: 2, pix: []byte{0, 100, 200, 250, 40, 60, 0, 50, 9, 9}[:8]}
	d := downscale2(g)
	if d.w != 2 || d.h != 1 || d.pix[0] != 50 || d.pix[1] != 125 {
		t.Errorf("downscale2 = %+v", d)
	}
	c := crop(g, 1, 1, 10, 10)
	if c.w != 3 || c.h != 1 || string(c.pix) != string([]byte{60, 0, 50}) {
		t.Errorf("crop = %+v", c)
	}
	u := upscale(g, 3)
	if u.w != 12 || u.h != 6 || u.pix[0] != 0 || u.pix[11] != 250 || u.pix[len(u.pix)-1] != 50 {
		t.Errorf("upscale corners %d %d %d", u.pix[0], u.pix[11], u.pix[len(u.pix)-1])
	}
	flat := &gray{w: 5, h: 5, pix: bytes.Repeat([]byte{77}, 25)}
	for name, f := range map[string]func(*gray) *gray{"blur": boxBlur, "sharpen": sharpen} {
		if out := f(flat); !bytes.Equal(out.pix, flat.pix) {
			t.Errorf("%s changed a flat image: %v", name, out.pix)
		}
	}
	edge := &gray{w: 3, h: 1, pix: []byte{0, 100, 200}}
	if s := sharpen(edge); s.pix[0] != 0 || s.pix[2] != 250 {
		t.Errorf("sharpen = %v", s.pix)
	}
}
