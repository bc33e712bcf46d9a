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

// corpusSize is the number of generated images of the zbarimg comparison.
const corpusSize = 250

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

// BenchmarkCorpusVsZbarimg decodes a generated corpus of varied images
// (plain, scaled, rotated, inverted, noisy, blurred, JPEG, low-contrast,
// screenshots, photos; see qrgen.Variants) with vmfa and with zbarimg
// (Debian zbar-tools, run with -Stest-inverted so that it also tries
// light-on-dark codes), file by file, and reports both success rates and
// median and 90th-percentile times per image. vmfa's time is in-process
// (read, image decode, QR decode); zbarimg's is one process per image, as
// people run it, and zbarimg_startup_ms is its time on a 1×1 image, the
// part of it that is process start-up and loading. ns/op is vmfa's time for the whole
// corpus. VMFA_BENCH_VERBOSE=1 logs the per-variant results.
func BenchmarkCorpusVsZbarimg(b *testing.B) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		b.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	samples, err := qrgen.Corpus(corpusSize, 2026)
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

	runZbar := func(p string) (string, time.Duration) {
		t0 := time.Now()
		// -Stest-inverted: zbarimg's best effort, light-on-dark codes too.
		out, _ := exec.Command(zbar, "-q", "--raw", "-Stest-inverted", p).Output() // exit 4: nothing found
		return string(out), time.Since(t0)
	}
	type tally struct{ ok, zok, n int }
	var (
		ours, theirs, startup []time.Duration
		okOurs, okZbar        int
		per                   map[string]*tally
	)
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		ours, theirs, startup = ours[:0], theirs[:0], startup[:0]
		okOurs, okZbar = 0, 0
		per = map[string]*tally{}
		for i, p := range paths {
			variant := qrgen.Variants[i%len(qrgen.Variants)]
			tl := per[variant]
			if tl == nil {
				tl = &tally{}
				per[variant] = tl
			}
			tl.n++
			t0 := time.Now()
			texts, _ := DecodeFile(p)
			ours = append(ours, time.Since(t0))
			for _, t := range texts {
				if t == samples[i].Want {
					okOurs++
					tl.ok++
					break
				}
			}
			b.StopTimer()
			out, d := runZbar(p)
			theirs = append(theirs, d)
			for _, line := range strings.Split(out, "\n") {
				if line == samples[i].Want {
					okZbar++
					tl.zok++
					break
				}
			}
			if i%25 == 0 {
				_, d := runZbar(tiny)
				startup = append(startup, d)
			}
			b.StartTimer()
		}
	}
	n := float64(len(paths))
	b.ReportMetric(100*float64(okOurs)/n, "vmfa_ok_%")
	b.ReportMetric(100*float64(okZbar)/n, "zbarimg_ok_%")
	b.ReportMetric(ms(median(ours)), "vmfa_median_ms")
	b.ReportMetric(ms(median(theirs)), "zbarimg_median_ms")
	b.ReportMetric(ms(pct(ours, 90)), "vmfa_p90_ms")
	b.ReportMetric(ms(pct(theirs, 90)), "zbarimg_p90_ms")
	b.ReportMetric(ms(median(startup)), "zbarimg_startup_ms")
	if os.Getenv("VMFA_BENCH_VERBOSE") != "" {
		for _, v := range qrgen.Variants {
			t := per[v]
			b.Logf("%-12s vmfa %3d/%d  zbarimg %3d/%d", v, t.ok, t.n, t.zok, t.n)
		}
	}
}
