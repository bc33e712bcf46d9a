package scanner

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/scanner/internal/qrgen"
)

// screenshot1080 is a 1920×1080 PNG of a cluttered page holding one QR
// code with 3-pixel modules.
func screenshot1080(b *testing.B) []byte {
	rng := rand.New(rand.NewPCG(1080, 1920))
	c := qrgen.Canvas(1920, 1080, rng)
	qrgen.Paste(c, qrgen.Code2(testURI, 3), 1400, 600)
	return qrgen.PNG(c)
}

// BenchmarkDecodeScreenshot1080p: PNG bytes to QR text, one code in a
// 1920×1080 screenshot.
func BenchmarkDecodeScreenshot1080p(b *testing.B) {
	data := screenshot1080(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		texts, err := DecodeReader(bytes.NewReader(data))
		if err != nil || len(texts) != 1 || texts[0] != testURI {
			b.Fatalf("decode: %q %v", texts, err)
		}
	}
}

// BenchmarkDecodeQRPNG: a plain 400-pixel enrollment QR code.
func BenchmarkDecodeQRPNG(b *testing.B) {
	data, err := QRPNG(testURI, 400)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeReader(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// perKind is the number of generated images of each kind in the zbarimg
// comparison (qrgen.Variants: 14 kinds, 280 images).
const perKind = 20

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// zbarRead runs zbarimg on one file, as people run it (one process per
// image, -Stest-inverted so that it also tries light-on-dark codes), and
// returns the lines it printed and its time.
func zbarRead(zbar, path string) ([]string, time.Duration) {
	t0 := time.Now()
	out, _ := exec.Command(zbar, "-q", "--raw", "-Stest-inverted", path).Output() // exit 4: nothing found
	return strings.Split(strings.TrimSpace(string(out)), "\n"), time.Since(t0)
}

// BenchmarkCorpusVsZbarimg decodes a generated corpus of 20 images of each
// kind (qrgen.Variants: plain, scaled, rotated, inverted, noisy, blurred,
// JPEG, low-contrast, screenshot, photo, keystone, thin or missing quiet
// zone, two codes side by side, app screenshots with window chrome) with
// vmfa and with zbarimg (Debian zbar-tools), one sub-benchmark per kind
// and "all" for the whole corpus, and reports both read rates (an image
// counts when every code in it is read) and median and 90th-percentile
// times per image. vmfa's time is in-process (read, image decode, QR
// decode); zbarimg's is one process per image, as people run it, and
// zbarimg_startup_ms is its time on a 1×1 image, the part of it that is
// process start-up and loading. ns/op is vmfa's time for the kind's images.
func BenchmarkCorpusVsZbarimg(b *testing.B) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		b.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	samples, err := qrgen.Corpus(perKind*len(qrgen.Variants), 2026)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	paths := make([]string, len(samples))
	for i, s := range samples {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%03d.%s", i, s.Ext))
		if err := os.WriteFile(paths[i], s.Data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	tiny := filepath.Join(dir, "tiny.png")
	if err := os.WriteFile(tiny, qrgen.PNG(qrgen.Scale(qrgen.Code2("x", 1), 0.05)), 0o600); err != nil {
		b.Fatal(err)
	}
	var startup []time.Duration
	for i := 0; i < 10; i++ {
		_, d := zbarRead(zbar, tiny)
		startup = append(startup, d)
	}
	type result struct {
		ours, theirs   []time.Duration
		okOurs, okZbar int
	}
	all := &result{}
	report := func(b *testing.B, r *result) {
		n := float64(len(r.ours))
		b.ReportMetric(100*float64(r.okOurs)/n, "vmfa_ok_%")
		b.ReportMetric(100*float64(r.okZbar)/n, "zbarimg_ok_%")
		b.ReportMetric(ms(median(r.ours)), "vmfa_median_ms")
		b.ReportMetric(ms(median(r.theirs)), "zbarimg_median_ms")
		b.ReportMetric(ms(pct(r.ours, 90)), "vmfa_p90_ms")
		b.ReportMetric(ms(pct(r.theirs, 90)), "zbarimg_p90_ms")
	}
	for k, kind := range qrgen.Variants {
		b.Run(kind, func(b *testing.B) {
			// zbarimg once per image (its processes are slow and not what
			// ns/op measures); vmfa b.N times.
			r := &result{}
			b.StopTimer()
			for i := k; i < len(paths); i += len(qrgen.Variants) {
				lines, d := zbarRead(zbar, paths[i])
				r.theirs = append(r.theirs, d)
				if readAll(lines, samples[i]) {
					r.okZbar++
				}
			}
			b.StartTimer()
			for it := 0; it < b.N; it++ {
				r.ours, r.okOurs = r.ours[:0], 0
				for i := k; i < len(paths); i += len(qrgen.Variants) {
					t0 := time.Now()
					texts, _ := DecodeFile(paths[i])
					r.ours = append(r.ours, time.Since(t0))
					if readAll(texts, samples[i]) {
						r.okOurs++
					}
				}
			}
			report(b, r)
			all.ours = append(all.ours, r.ours...)
			all.theirs = append(all.theirs, r.theirs...)
			all.okOurs += r.okOurs
			all.okZbar += r.okZbar
		})
	}
	b.Run("all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
		}
		if len(all.ours) == 0 {
			b.Skip("run with the per-kind sub-benchmarks")
		}
		report(b, all)
		b.ReportMetric(ms(median(startup)), "zbarimg_startup_ms")
	})
}

// BenchmarkPhoto12MP reads a generated 4032×3024 phone photo (JPEG,
// 4:2:0, about 2 MB) holding one small QR code, in a fresh process each
// time, with vmfa (this test binary, or `$VMFA_BENCH_BIN scan` when the
// bench script built vmfa) and with zbarimg, and reports the median wall
// time (ms), CPU time (cpu_ms), peak RSS (peak_MB) and whether the code
// was read (ok). The target for vmfa is 0.25 s and 64 MB (issue 12).
func BenchmarkPhoto12MP(b *testing.B) {
	img := qrgen.Photo(4032, 3024, testURI, 6, rand.New(rand.NewPCG(12, 12)))
	p := filepath.Join(b.TempDir(), "photo.jpg")
	if err := os.WriteFile(p, qrgen.JPEG(img, 88), 0o600); err != nil {
		b.Fatal(err)
	}
	img = nil
	run := func(b *testing.B, one func() childRun) {
		var wall, cpu []time.Duration
		var peak float64
		ok := 1.0
		for i := 0; i < max(b.N, 5); i++ {
			r := one()
			wall, cpu = append(wall, r.wall), append(cpu, r.cpu)
			peak = max(peak, r.peakMB)
			if !strings.Contains(r.out, testURI) {
				ok = 0
			}
		}
		b.ReportMetric(ms(median(wall)), "ms")
		b.ReportMetric(ms(median(cpu)), "cpu_ms")
		b.ReportMetric(peak, "peak_MB")
		b.ReportMetric(ok, "ok")
	}
	b.Run("vmfa", func(b *testing.B) {
		run(b, func() childRun { return runScanChild(b, p) })
	})
	b.Run("zbarimg", func(b *testing.B) {
		zbar, err := exec.LookPath("zbarimg")
		if err != nil {
			b.Skip("zbarimg not installed (apt-get install zbar-tools)")
		}
		run(b, func() childRun { return runProcess(b, exec.Command(zbar, "-q", "--raw", p)) })
	})
}
