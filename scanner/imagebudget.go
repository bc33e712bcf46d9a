package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Decoding budget. The pixel count alone does not bound what a decoder
// needs: a progressive JPEG keeps every DCT coefficient of the image
// (Go's decoder: 4 bytes each, 15 bytes a pixel for full-colour), a 16-bit
// RGBA PNG decodes to 8 bytes a pixel, a lossless WebP costs time per
// pixel whatever its file size (28 bytes can declare 49 megapixels), and
// a progressive JPEG may repeat its scans thousands of times. Each file's
// header is read first, the decoder's memory and work are worked out from
// it (format, bit depth, components, sampling, progressive scans), and a
// file over budget is refused before a pixel is decoded.
const (
	// MaxDecodeBytes is the most memory the image decoder may need for
	// one image, as worked out from its header: 192 MiB.
	MaxDecodeBytes = 192 << 20
	// MaxJPEGBlockScans is the most 8×8 blocks a JPEG's scans may visit
	// in total (a block visited by ten progressive scans counts ten
	// times): 32 million, several times what a 50-megapixel progressive
	// photo needs.
	MaxJPEGBlockScans = 32_000_000
	// MaxSlowPixels is the pixel cap of the formats that cost time for
	// every pixel however small the file: lossless WebP and WebP with an
	// alpha channel (12 megapixels, more than a 4K screenshot).
	MaxSlowPixels = 12_000_000
)

// imageInfo is what an image's header says about the work of decoding it.
type imageInfo struct {
	format      string // "png", "jpeg", "gif", "bmp", "webp"
	kind        string // for messages: "16-bit RGBA PNG", "progressive JPEG", …
	w, h        int
	decodeBytes int64 // memory the decoder needs, estimated from the header
	blockScans  int64 // JPEG: blocks visited over all scans
	slow        bool  // a format whose decoding time is per pixel, not per byte
	progressive bool  // JPEG
	subsampled  bool  // JPEG: chroma at lower resolution than luma
}

// inspect reads the header of an image file (and, for JPEG, the list of
// its scans) without decoding pixels. ok is false for a format it does not
// know; the caller then relies on image.DecodeConfig and the pixel cap.
func inspect(data []byte) (info imageInfo, ok bool, err error) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		info, err = inspectPNG(data)
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		info, err = inspectJPEG(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		info, err = inspectWebP(data)
	default:
		return imageInfo{}, false, nil
	}
	if err == errLeaveToDecoder {
		return imageInfo{}, false, nil // image.DecodeConfig says what is wrong
	}
	return info, err == nil, err
}

// errLeaveToDecoder: a header inspect does not judge (too short, unknown
// values); image.DecodeConfig then says what is wrong with it.
var errLeaveToDecoder = errors.New("header left to the decoder")

// checkBudget refuses an image whose decoding would exceed the limits,
// saying which limit and what to do.
func (info imageInfo) checkBudget() error {
	px := int64(info.w) * int64(info.h)
	mp := func(n int64) string { return fmt.Sprintf("%.1f megapixels", float64(n)/1e6) }
	switch {
	case px > MaxImagePixels:
		return fmt.Errorf("%w: %d×%d pixels (at most %d megapixels)", ErrImageTooLarge, info.w, info.h, MaxImagePixels/1_000_000)
	case info.decodeBytes > MaxDecodeBytes:
		return fmt.Errorf("%w: %s of %d×%d pixels needs %d MiB to decode (at most %d MiB); save it as an 8-bit PNG or a baseline JPEG, or scale it down",
			ErrImageTooLarge, article(info.kind), info.w, info.h, info.decodeBytes>>20, MaxDecodeBytes>>20)
	case info.blockScans > MaxJPEGBlockScans:
		return fmt.Errorf("%w: %s whose scans visit %d million blocks (at most %d million); save it as a baseline JPEG or PNG",
			ErrImageTooLarge, article(info.kind), info.blockScans/1_000_000, MaxJPEGBlockScans/1_000_000)
	case info.slow && px > MaxSlowPixels:
		return fmt.Errorf("%w: %s of %s (at most %d megapixels); save it as PNG or JPEG, or scale it down",
			ErrImageTooLarge, article(info.kind), mp(px), MaxSlowPixels/1_000_000)
	}
	return nil
}

// article puts "a" or "an" before a kind of image.
func article(kind string) string {
	if strings.IndexByte("aeioAEIO8", kind[0]) >= 0 || strings.HasPrefix(kind, "RGB") {
		return "an " + kind
	}
	return "a " + kind
}

// inspectPNG reads IHDR and the chunks before the image data (for tRNS).
// Go's decoder returns Gray, Gray16, RGBA, RGBA64, NRGBA, NRGBA64 or
// Paletted; an interlaced image also holds each of the seven passes.
func inspectPNG(data []byte) (imageInfo, error) {
	p := data[8:]
	if len(p) < 8+13 || string(p[4:8]) != "IHDR" {
		return imageInfo{}, errLeaveToDecoder
	}
	ihdr := p[8 : 8+13]
	w, h := binary.BigEndian.Uint32(ihdr[0:]), binary.BigEndian.Uint32(ihdr[4:])
	depth, ct, interlace := ihdr[8], ihdr[9], ihdr[12]
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
		return imageInfo{}, fmt.Errorf("%w: the image is empty or its size is invalid", ErrImageFormat)
	}
	if names := map[byte]bool{0: true, 2: true, 3: true, 4: true, 6: true}; !names[ct] || depth == 0 || depth > 16 || depth&(depth-1) != 0 {
		return imageInfo{}, errLeaveToDecoder // image.DecodeConfig names the problem
	}
	trns := false
	for q := p[min(len(p), 8+13+4):]; len(q) >= 8; {
		n := int64(binary.BigEndian.Uint32(q))
		typ := string(q[4:8])
		if typ == "tRNS" {
			trns = true
		}
		if typ == "IDAT" || n+12 > int64(len(q)) {
			break
		}
		q = q[12+n:]
	}
	bpp := int64(4) // RGB, grey+alpha, RGBA, or grey/RGB with tRNS: (N)RGBA
	names := map[byte]string{0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"}
	switch {
	case ct == 3:
		bpp = 1
	case ct == 0 && !trns:
		bpp = 1
	}
	if depth == 16 {
		bpp *= 2
		if ct == 0 && !trns {
			bpp = 2
		}
	}
	kind := fmt.Sprintf("%d-bit %s PNG", depth, names[ct])
	px := int64(w) * int64(h)
	need := min(px, 1<<40) * bpp // no overflow; refused by the pixel cap anyway
	if interlace != 0 {
		kind = "interlaced " + kind
		need *= 2 // the passes, then the whole
	}
	return imageInfo{format: "png", kind: kind, w: int(w), h: int(h), decodeBytes: need}, nil
}

// inspectJPEG walks the markers: the frame header (size, components,
// sampling, progressive) and every scan (for the blocks it visits). Go's
// decoder keeps a plane per component and, for progressive images, every
// coefficient as an int32 (256 bytes a block).
func inspectJPEG(data []byte) (imageInfo, error) {
	info := imageInfo{format: "jpeg", kind: "JPEG"}
	damaged := func(what string) error { return fmt.Errorf("%w (jpeg: %s)", ErrImageDamaged, what) }
	type comp struct{ id, h, v byte }
	var (
		comps      []comp
		hmax, vmax int
		mxx, myy   int64
	)
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xff {
			i++ // junk between segments: decoders skip it
			continue
		}
		m := data[i+1]
		if m == 0xff || m == 0x01 || (m >= 0xd0 && m <= 0xd7) {
			i++
			continue
		}
		if m == 0xd9 {
			break
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return info, damaged("a segment runs past the end")
		}
		seg := data[i+4 : i+2+n]
		i += 2 + n
		switch {
		case m == 0xc0 || m == 0xc1 || m == 0xc2:
			if comps != nil {
				return info, damaged("two frame headers")
			}
			if len(seg) < 6 {
				return info, damaged("short frame header")
			}
			info.h, info.w = int(binary.BigEndian.Uint16(seg[1:])), int(binary.BigEndian.Uint16(seg[3:]))
			nc := int(seg[5])
			if nc == 0 || len(seg) < 6+3*nc {
				return info, damaged("short frame header")
			}
			for k := 0; k < nc; k++ {
				c := comp{seg[6+3*k], max(1, seg[7+3*k]>>4), max(1, seg[7+3*k]&15)}
				comps = append(comps, c)
				hmax, vmax = max(hmax, int(c.h)), max(vmax, int(c.v))
			}
			info.progressive = m == 0xc2
			if info.w == 0 || info.h == 0 {
				return info, fmt.Errorf("%w: the image is empty", ErrImageFormat)
			}
			// Go sizes its MCUs on the first component's sampling.
			h0, v0 := int(comps[0].h), int(comps[0].v)
			mxx = int64((info.w + 8*h0 - 1) / (8 * h0))
			myy = int64((info.h + 8*v0 - 1) / (8 * v0))
			var planes, coeffs int64
			for _, c := range comps {
				blocks := mxx * myy * int64(c.h) * int64(c.v)
				planes += 64 * blocks
				coeffs += 256 * blocks
				info.subsampled = info.subsampled || int(c.h) < hmax || int(c.v) < vmax
			}
			info.decodeBytes = planes
			if nc == 4 {
				info.decodeBytes += 64 * mxx * myy * int64(h0*v0) * 5 // the black plane and the CMYK image
			}
			if info.progressive {
				info.decodeBytes += coeffs
			}
			switch {
			case info.progressive && nc == 1:
				info.kind = "progressive greyscale JPEG"
			case info.progressive:
				info.kind = "progressive JPEG"
			case nc == 1:
				info.kind = "greyscale JPEG"
			}
		case m == 0xda:
			if comps == nil {
				return info, damaged("a scan before the frame header")
			}
			if len(seg) < 1 {
				return info, damaged("short scan header")
			}
			ns := int(seg[0])
			var blocks int64
			for k := 0; k < ns && 1+2*k < len(seg); k++ {
				for _, c := range comps {
					if c.id == seg[1+2*k] {
						blocks += mxx * myy * int64(c.h) * int64(c.v)
					}
				}
			}
			info.blockScans += blocks
			// Skip the entropy-coded data: up to a marker other than a
			// stuffed 0xff00 or a restart.
			for i+1 < len(data) && !(data[i] == 0xff && data[i+1] != 0 && !(data[i+1] >= 0xd0 && data[i+1] <= 0xd7)) {
				i++
			}
		}
	}
	if comps == nil {
		return info, damaged("no frame header (or an unsupported JPEG process)")
	}
	return info, nil
}

// inspectWebP reads the RIFF chunks: lossy VP8 (YCbCr 4:2:0), lossless
// VP8L (NRGBA, time per pixel), or VP8X with an alpha chunk (lossy plus a
// losslessly coded alpha plane).
func inspectWebP(data []byte) (imageInfo, error) {
	info := imageInfo{format: "webp"}
	damaged := fmt.Errorf("%w (webp: bad header)", ErrImageDamaged)
	alpha := false
	for p := data[12:]; len(p) >= 8; {
		typ := string(p[:4])
		n := int64(binary.LittleEndian.Uint32(p[4:8]))
		body := p[8:]
		if int64(len(body)) > n {
			body = body[:n]
		}
		switch typ {
		case "VP8X":
			if len(body) < 10 {
				return info, damaged
			}
			alpha = body[0]&0x10 != 0
			info.w = 1 + int(body[4]) | int(body[5])<<8 | int(body[6])<<16
			info.h = 1 + int(body[7]) | int(body[8])<<8 | int(body[9])<<16
		case "ALPH":
			alpha = true
		case "VP8 ":
			if len(body) < 10 {
				return info, damaged
			}
			if info.w == 0 {
				info.w = int(binary.LittleEndian.Uint16(body[6:]) & 0x3fff)
				info.h = int(binary.LittleEndian.Uint16(body[8:]) & 0x3fff)
			}
			px := int64(info.w) * int64(info.h)
			info.kind, info.decodeBytes = "lossy WebP", px*3/2
			if alpha {
				info.kind, info.decodeBytes, info.slow = "WebP with alpha", px*3/2+px*5, true
			}
			return info, info.empty()
		case "VP8L":
			if len(body) < 5 || body[0] != 0x2f {
				return info, damaged
			}
			v := binary.LittleEndian.Uint32(body[1:])
			if info.w == 0 {
				info.w, info.h = 1+int(v&0x3fff), 1+int(v>>14&0x3fff)
			}
			px := int64(info.w) * int64(info.h)
			info.kind, info.decodeBytes, info.slow = "lossless WebP", px*8, true
			return info, info.empty()
		}
		if n+8+n%2 > int64(len(p)) {
			break
		}
		p = p[8+n+n%2:]
	}
	return info, damaged
}

func (info imageInfo) empty() error {
	if info.w <= 0 || info.h <= 0 {
		return fmt.Errorf("%w: the image is empty", ErrImageFormat)
	}
	return nil
}
