package scanner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/scanner/internal/qrgen"
)

// TestHostileImagesRefusedFromHeader: every decompression bomb over the
// budget is refused with ErrImageTooLarge, and from its header alone: the
// header check alone (inspect, no pixel decoded) gives the same error. The time and memory of all hostile images,
// refused or decoded, are measured by BenchmarkHostileImages in a child
// process (make bench).
func TestHostileImagesRefusedFromHeader(t *testing.T) {
	want := map[string]string{
		"progressive-jpeg-49mp":       "image is too large: a progressive JPEG of 7000×7000 pixels needs 700 MiB to decode (at most 192 MiB); save it as an 8-bit PNG or a baseline JPEG, or scale it down",
		"progressive-jpeg-2001-scans": "image is too large: a progressive greyscale JPEG whose scans visit 125 million blocks (at most 32 million); save it as a baseline JPEG or PNG",
		"lossless-webp-49mp":          "image is too large: a lossless WebP of 7000×7000 pixels needs 373 MiB to decode (at most 192 MiB); save it as an 8-bit PNG or a baseline JPEG, or scale it down",
		"lossless-webp-16mp":          "image is too large: a lossless WebP of 16.0 megapixels (at most 12 megapixels); save it as PNG or JPEG, or scale it down",
		"png-16bit-rgba-49mp":         "image is too large: a 16-bit RGBA PNG of 7000×7000 pixels needs 373 MiB to decode (at most 192 MiB); save it as an 8-bit PNG or a baseline JPEG, or scale it down",
		"png-16bit-interlaced-25mp":   "image is too large: an interlaced 16-bit RGBA PNG of 5000×5000 pixels needs 381 MiB to decode (at most 192 MiB); save it as an 8-bit PNG or a baseline JPEG, or scale it down",
		"png-over-50mp":               "image is too large: 8000×8000 pixels (at most 50 megapixels)",
	}
	for _, h := range qrgen.HostileImages() {
		if !h.Refused {
			continue
		}
		t.Run(h.Name, func(t *testing.T) {
			_, err := DecodeReader(bytes.NewReader(h.Data))
			if !errors.Is(err, ErrImageTooLarge) {
				t.Fatalf("got %v, want ErrImageTooLarge", err)
			}
			if err.Error() != want[h.Name] {
				t.Errorf("message\n got %q\nwant %q", err, want[h.Name])
			}
			// The header alone says so: no pixel decoded.
			info, known, err := inspect(h.Data)
			if err != nil || !known {
				t.Fatalf("inspect: %v %v", known, err)
			}
			if err := info.checkBudget(); err == nil || err.Error() != want[h.Name] {
				t.Errorf("the header check gives %v", err)
			}
		})
	}
}

// TestHostileImagesWithinBudget: the hostile images just under the budget
// pass the header check (they are decoded; BenchmarkHostileImages
// measures them), and the budget's estimate for each is what Go's
// decoder needs.
func TestHostileImagesWithinBudget(t *testing.T) {
	for _, h := range qrgen.HostileImages() {
		if h.Refused {
			continue
		}
		info, known, err := inspect(h.Data)
		if err != nil || !known {
			t.Fatalf("%s: inspect: %v %v", h.Name, known, err)
		}
		if err := info.checkBudget(); err != nil {
			t.Errorf("%s: refused: %v", h.Name, err)
		}
	}
	// A small image of every kind decodes (the generators make valid
	// files, and the budget's parsers agree with the decoders).
	for _, data := range [][]byte{
		qrgen.JPEGBomb(300, 200, 3, true, 3), qrgen.JPEGBomb(300, 200, 1, false, 0),
		cmykJPEG(300, 200), // libjpeg gives no greyscale of CMYK; Go's decoder does
		qrgen.WebPLosslessBomb(300, 200), qrgen.PNGBomb(300, 200, 6, 16, true), qrgen.PNGBomb(300, 200, 3, 8, false),
	} {
		info, _, err := inspect(data)
		if err != nil || info.w != 300 || info.h != 200 {
			t.Errorf("inspect: %+v %v", info, err)
		}
		if _, err := DecodeReader(bytes.NewReader(data)); !errors.Is(err, ErrNoQR) {
			t.Errorf("%s: got %v, want no QR code", info.kind, err)
		}
	}
}

// cmykJPEG is a flat CMYK JPEG (four components and Adobe's APP14 marker
// saying so).
func cmykJPEG(w, h int) []byte {
	b := qrgen.JPEGBomb(w, h, 4, false, 0)
	app14 := append([]byte{0xff, 0xee, 0, 14}, "Adobe\x00\x64\x00\x00\x00\x00\x00"...)
	return append(append(append([]byte(nil), b[:2]...), app14...), b[2:]...)
}

// TestInspectKinds: the header parsers tell the kinds apart (names used
// in the errors).
func TestInspectKinds(t *testing.T) {
	img, _ := QRImage(testURI, 200)
	for want, data := range map[string][]byte{
		"progressive JPEG":           qrgen.JPEGBomb(64, 64, 3, true, 1),
		"progressive greyscale JPEG": qrgen.JPEGBomb(64, 64, 1, true, 1),
		"greyscale JPEG":             qrgen.JPEGBomb(64, 64, 1, false, 0),
		"JPEG":                       qrgen.JPEG(image.NewRGBA(image.Rect(0, 0, 64, 64)), 80),
		"lossless WebP":              qrgen.WebPLosslessBomb(64, 64),
		"1-bit palette PNG":          qrgen.PNG(img),
		"8-bit grey PNG":             qrgen.PNGBomb(64, 64, 0, 8, false),
		"interlaced 8-bit RGB PNG":   qrgen.PNGBomb(64, 64, 2, 8, true),
	} {
		info, known, err := inspect(data)
		if err != nil || !known || info.kind != want {
			t.Errorf("%s: got %q %v %v", want, info.kind, known, err)
		}
	}
	for _, name := range []string{"qr-lossy.webp", "qr-lossless.webp"} {
		data, err := os.ReadFile(filepath.Join("testdata", "images", name))
		if err != nil {
			t.Fatal(err)
		}
		info, known, err := inspect(data)
		if err != nil || !known || info.w != 200 {
			t.Errorf("%s: %+v %v %v", name, info, known, err)
		}
	}
}

// TestScanChild is the child process of the scan measurements: with
// VMFA_SCAN_CHILD=FILE it decodes FILE and prints what it found (or the
// error) on one line. Skipped otherwise.
func TestScanChild(t *testing.T) {
	path := os.Getenv("VMFA_SCAN_CHILD")
	if path == "" {
		t.Skip("the child of BenchmarkHostileImages and BenchmarkPhoto12MP")
	}
	texts, err := DecodeFile(path)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(strings.Join(texts, "\n"))
}

// childRun is one measured child process.
type childRun struct {
	out    string
	wall   time.Duration
	cpu    time.Duration // user + system
	peakMB float64       // peak resident set size
}

// runScanChild decodes path in a fresh process (this test binary, or
// `$VMFA_BENCH_BIN scan` when the bench script built vmfa) and measures
// its wall time and peak RSS.
func runScanChild(b *testing.B, path string) childRun {
	var cmd *exec.Cmd
	if bin := os.Getenv("VMFA_BENCH_BIN"); bin != "" {
		cmd = exec.Command(bin, "scan", path)
	} else {
		cmd = exec.Command(os.Args[0], "-test.run=^TestScanChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "VMFA_SCAN_CHILD="+path)
	}
	return runProcess(b, cmd)
}

// runProcess runs cmd and measures its wall time, CPU time and peak RSS.
// It is started by a small child of its own (TestMeasureChild): Linux
// records the parent's peak RSS in a child's at exec when the parent's
// memory is shared (os/exec's vfork), and the benchmark process, holding a
// 12-megapixel photo, would otherwise be what is measured.
func runProcess(b *testing.B, cmd *exec.Cmd) childRun {
	args, _ := json.Marshal(cmd.Args)
	m := exec.Command(os.Args[0], "-test.run=^TestMeasureChild$", "-test.v=false")
	m.Env = append(cmd.Env, "VMFA_MEASURE_CMD="+string(args))
	if cmd.Env == nil {
		m.Env = append(os.Environ(), "VMFA_MEASURE_CMD="+string(args))
	}
	var out bytes.Buffer
	m.Stdout, m.Stderr = &out, &out
	if err := m.Run(); err != nil {
		b.Fatalf("measuring %s: %v\n%s", cmd.Args, err, out.String())
	}
	var r struct {
		Out           string
		WallNs, CPUNs int64
		MaxRSSKB      int64
	}
	text := out.String()
	if i := strings.LastIndex(text, "\nMEASURED "); i >= 0 {
		text = text[i+len("\nMEASURED "):]
	} else if strings.HasPrefix(text, "MEASURED ") {
		text = text[len("MEASURED "):]
	}
	if err := json.Unmarshal([]byte(strings.SplitN(text, "\n", 2)[0]), &r); err != nil {
		b.Fatalf("measuring %s: %v\n%s", cmd.Args, err, out.String())
	}
	return childRun{r.Out, time.Duration(r.WallNs), time.Duration(r.CPUNs), float64(r.MaxRSSKB) / 1024}
}

// TestMeasureChild runs the command in VMFA_MEASURE_CMD (a JSON argv) and
// prints its output, wall and CPU time and peak RSS as one JSON line
// after "MEASURED ". Skipped otherwise.
func TestMeasureChild(t *testing.T) {
	spec := os.Getenv("VMFA_MEASURE_CMD")
	if spec == "" {
		t.Skip("the measuring child of runProcess")
	}
	var argv []string
	if err := json.Unmarshal([]byte(spec), &argv); err != nil || len(argv) == 0 {
		t.Fatalf("bad VMFA_MEASURE_CMD: %v", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "VMFA_MEASURE_CMD=") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	_ = cmd.Run() // exit 1 is a refusal or "no QR code found"
	wall := time.Since(t0)
	peakMB, ok := peakRSSMB(cmd.ProcessState)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	line, _ := json.Marshal(map[string]any{"Out": out.String(), "WallNs": wall.Nanoseconds(),
		"CPUNs": cpu.Nanoseconds(), "MaxRSSKB": int64(peakMB * 1024)})
	fmt.Printf("\nMEASURED %s\n", line)
}

// BenchmarkHostileImages runs each hostile image (qrgen.HostileImages) in
// a child process and reports its wall time (ms), CPU time (cpu_ms: user
// and system, which other load on the machine does not inflate) and peak
// RSS (peak_MB);
// refused=1 when the budget refused it from the header. The ceilings
// are 3 s and 512 MB for every one (issue 10).
func BenchmarkHostileImages(b *testing.B) {
	dir := b.TempDir()
	for _, h := range qrgen.HostileImages() {
		p := filepath.Join(dir, h.Name)
		if err := os.WriteFile(p, h.Data, 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run(h.Name, func(b *testing.B) {
			var worst childRun
			for i := 0; i < b.N; i++ {
				r := runScanChild(b, p)
				worst.wall = max(worst.wall, r.wall)
				worst.cpu = max(worst.cpu, r.cpu)
				worst.peakMB = max(worst.peakMB, r.peakMB)
				worst.out = r.out
			}
			refused := 0.0
			if strings.Contains(worst.out, ErrImageTooLarge.Error()) {
				refused = 1
			} else if !strings.Contains(worst.out, ErrNoQR.Error()) {
				b.Fatalf("unexpected result: %s", worst.out)
			}
			b.ReportMetric(ms(worst.wall), "ms")
			b.ReportMetric(ms(worst.cpu), "cpu_ms")
			b.ReportMetric(worst.peakMB, "peak_MB")
			b.ReportMetric(refused, "refused")
		})
	}
}

// inspectSeeds are small files of every kind the header parsers read.
func inspectSeeds() [][]byte {
	img, _ := QRImage(testURI, 0)
	return [][]byte{
		qrgen.JPEGBomb(64, 48, 3, true, 2), qrgen.JPEGBomb(64, 48, 1, false, 0),
		qrgen.WebPLosslessBomb(64, 48), qrgen.PNGBomb(64, 48, 6, 16, true), qrgen.PNGBomb(64, 48, 0, 8, false),
		qrgen.PNG(img), qrgen.JPEG(img, 50),
	}
}

// FuzzInspectImage: the header parsers never panic, and an image they
// accept within budget is one the decoders may then be given.
func FuzzInspectImage(f *testing.F) {
	for _, s := range inspectSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, known, err := inspect(data)
		if err != nil || !known {
			return
		}
		if info.w <= 0 || info.h <= 0 || info.decodeBytes < 0 || info.blockScans < 0 {
			t.Fatalf("nonsense from the header: %+v", info)
		}
		_ = info.checkBudget()
	})
}

// TestWriteInspectCorpus (re)writes testdata/fuzz/FuzzInspectImage with
// VMFA_WRITE_CORPUS=1.
func TestWriteInspectCorpus(t *testing.T) {
	if os.Getenv("VMFA_WRITE_CORPUS") == "" {
		t.Skip("set VMFA_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzInspectImage")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range inspectSeeds() {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
