package qrgen

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// Decompression bombs: small files that decode to huge images, built
// byte by byte so that the tests and benchmarks can make them in a few
// milliseconds. Every one is a valid file its format's decoder accepts.

// bitWriter writes JPEG entropy-coded data, most significant bit first,
// with 0xFF bytes stuffed.
type bitWriter struct {
	b    bytes.Buffer
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		w.nacc++
		if w.nacc == 8 {
			w.b.WriteByte(byte(w.acc))
			if byte(w.acc) == 0xff {
				w.b.WriteByte(0)
			}
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) flush() []byte {
	for w.nacc != 0 {
		w.put(1, 1)
	}
	out := w.b.Bytes()
	w.b = bytes.Buffer{}
	return out
}

func segment(b *bytes.Buffer, marker byte, payload ...byte) {
	b.Write([]byte{0xff, marker})
	binary.Write(b, binary.BigEndian, uint16(len(payload)+2))
	b.Write(payload)
}

// JPEGBomb returns a JPEG of w×h flat grey pixels with comps components
// (1 or 3), all sampled 1×1, whose every block costs one or two bits: one
// Huffman code of one bit per table. progressive makes it a progressive
// JPEG with a DC scan and acScans AC scans per component (each an
// end-of-band run over the whole component); baseline otherwise. At
// 7000×7000 and 3 components the progressive file is under 300 KB and
// Go's decoder asks for over a gigabyte.
func JPEGBomb(w, h, comps int, progressive bool, acScans int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	dqt := make([]byte, 65)
	for i := 1; i < 65; i++ {
		dqt[i] = 1
	}
	segment(&b, 0xdb, dqt...)
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(comps)}
	for i := 0; i < comps; i++ {
		sof = append(sof, byte(i+1), 0x11, 0)
	}
	marker := byte(0xc0)
	if progressive {
		marker = 0xc2
	}
	segment(&b, marker, sof...)
	// One code "0" per table: DC category 0; AC end of block (baseline)
	// or EOBRUN with 14 extra bits (progressive, up to 32767 blocks).
	ac := byte(0x00)
	if progressive {
		ac = 0xe0
	}
	dht := []byte{0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	dht = append(dht, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ac)
	segment(&b, 0xc4, dht...)
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	bw := &bitWriter{}
	sos := func(comp []int, ss, se byte) {
		p := []byte{byte(len(comp))}
		for _, c := range comp {
			p = append(p, byte(c+1), 0x00)
		}
		p = append(p, ss, se, 0)
		segment(&b, 0xda, p...)
	}
	all := make([]int, comps)
	for i := range all {
		all[i] = i
	}
	if !progressive {
		sos(all, 0, 63)
		for i := 0; i < blocks*comps; i++ {
			bw.put(0, 2) // DC diff 0, EOB
		}
		b.Write(bw.flush())
		b.Write([]byte{0xff, 0xd9})
		return b.Bytes()
	}
	sos(all, 0, 0)
	for i := 0; i < blocks*comps; i++ {
		bw.put(0, 1)
	}
	b.Write(bw.flush())
	for s := 0; s < acScans; s++ {
		for c := 0; c < comps; c++ {
			sos([]int{c}, 1, 63)
			// Runs of 16384 to 32767 blocks; the last may overrun the
			// component, which decoders accept.
			for left := blocks; left > 0; {
				run := max(1<<14, min(left, 32767))
				bw.put(0, 1)
				bw.put(uint32(run-1<<14), 14)
				left -= run
			}
			b.Write(bw.flush())
		}
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}

// WebPLosslessBomb returns a lossless WebP of w×h pixels (at most
// 16384×16384) whose five prefix codes each hold one symbol, so that
// every pixel costs no bits at all: 28 bytes.
func WebPLosslessBomb(w, h int) []byte {
	var bits []bool
	put := func(v uint32, n int) { // least significant bit first
		for i := 0; i < n; i++ {
			bits = append(bits, v>>uint(i)&1 == 1)
		}
	}
	put(0x2f, 8)
	put(uint32(w-1), 14)
	put(uint32(h-1), 14)
	put(0, 1) // alpha not used
	put(0, 3) // version
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	for i := 0; i < 5; i++ {
		put(1, 1) // simple code
		put(0, 1) // one symbol
		put(0, 1) // of one bit
		put(0, 1) // symbol 0
	}
	data := make([]byte, (len(bits)+7)/8)
	for i, on := range bits {
		if on {
			data[i/8] |= 1 << uint(i%8)
		}
	}
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(data)))
	b.WriteString("WEBPVP8L")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// PNGBomb returns a PNG of w×h black pixels of the given colour type
// (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and bit depth,
// optionally Adam7-interlaced. The zlib stream is built from one
// compressed block of zeros repeated, so a gigabyte of pixel data costs
// about a megabyte and no time to make.
func PNGBomb(w, h int, colorType, depth byte, interlace bool) []byte {
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	rowBytes := func(pw int) int64 { return (int64(pw)*int64(channels)*int64(depth) + 7) / 8 }
	var raw int64
	if !interlace {
		raw = int64(h) * (1 + rowBytes(w))
	} else {
		for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			pw := (w - p[0] + p[2] - 1) / p[2]
			ph := (h - p[1] + p[3] - 1) / p[3]
			if pw > 0 && ph > 0 {
				raw += int64(ph) * (1 + rowBytes(pw))
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, colorType
	if interlace {
		ihdr[12] = 1
	}
	chunk("IHDR", ihdr)
	if colorType == 3 {
		chunk("PLTE", []byte{0, 0, 0, 255, 255, 255})
	}
	chunk("IDAT", zlibZeros(raw))
	chunk("IEND", nil)
	return b.Bytes()
}

// zlibZeros returns a zlib stream of n zero bytes.
func zlibZeros(n int64) []byte {
	const unit = 1 << 20
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	zeros := make([]byte, unit)
	out := []byte{0x78, 0xda}
	if n <= 2*unit {
		fw.Write(zeros[:0])
		for left := n; left > 0; left -= min(left, unit) {
			fw.Write(zeros[:min(left, unit)])
		}
		fw.Close()
		out = append(out, buf.Bytes()...)
	} else {
		fw.Write(zeros)
		fw.Flush()
		out = append(out, buf.Bytes()...)
		buf.Reset()
		fw.Write(zeros)
		fw.Flush()
		rep := append([]byte(nil), buf.Bytes()...) // decodes to unit zeros after zeros
		buf.Reset()
		k := (n - unit) / unit
		for i := int64(0); i < k; i++ {
			out = append(out, rep...)
		}
		if tail := n - unit - k*unit; tail > 0 {
			fw.Write(zeros[:tail])
		}
		fw.Close()
		out = append(out, buf.Bytes()...)
	}
	a, s := uint32(1), uint32(n%65521)
	return binary.BigEndian.AppendUint32(out, s<<16|a)
}

// Hostile is one hostile image: Refused says whether the scanner's budget
// must refuse it from its header (the others are within budget and must
// be decoded, and found to hold no code, within the same time and memory
// ceilings).
type Hostile struct {
	Name    string
	Data    []byte
	Refused bool
}

// HostileImages returns the decompression bombs of the scanner's tests and
// benchmarks: the three of the security review (a 287 KB progressive
// JPEG, a 28-byte lossless WebP and a 16-bit PNG, each of 49 megapixels)
// and their variants, some just over the budget and some just under it.
func HostileImages() []Hostile {
	return []Hostile{
		{"progressive-jpeg-49mp", JPEGBomb(7000, 7000, 3, true, 1), true},
		{"progressive-jpeg-2001-scans", JPEGBomb(2000, 2000, 1, true, 2000), true},
		{"lossless-webp-49mp", WebPLosslessBomb(7000, 7000), true},
		{"lossless-webp-16mp", WebPLosslessBomb(4000, 4000), true},
		{"png-16bit-rgba-49mp", PNGBomb(7000, 7000, 6, 16, false), true},
		{"png-16bit-interlaced-25mp", PNGBomb(5000, 5000, 6, 16, true), true},
		{"png-over-50mp", PNGBomb(8000, 8000, 0, 8, false), true},
		{"progressive-jpeg-12mp", JPEGBomb(3500, 3500, 3, true, 1), false},
		{"progressive-jpeg-400-scans", JPEGBomb(2000, 2000, 1, true, 400), false},
		{"baseline-jpeg-49mp", JPEGBomb(7000, 7000, 3, false, 0), false},
		{"lossless-webp-12mp", WebPLosslessBomb(3460, 3460), false},
		{"png-16bit-rgba-23mp", PNGBomb(4800, 4800, 6, 16, false), false},
		{"png-8bit-grey-49mp", PNGBomb(7000, 7000, 0, 8, false), false},
		{"png-8bit-rgba-interlaced-24mp", PNGBomb(4900, 4900, 6, 8, true), false},
	}
}
