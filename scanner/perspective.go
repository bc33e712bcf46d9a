package scanner

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// A code seen at an angle (a photo of a monitor, keystone distortion of
// 15–35 %) defeats gozxing's detector in three places, each written for a
// code seen head-on:
//
//   - finder pattern selection refuses three patterns whose module sizes
//     differ by more than 40 % (the near side's modules are bigger);
//   - the dimension is the finder patterns' distances divided by their
//     average module size, which is off by several modules when the
//     module size changes across the code, so the version is wrong;
//   - the alignment pattern is looked for where a parallelogram would put
//     it, modules away from where perspective puts it, and without it the
//     fourth corner is guessed as a parallelogram's too.
//
// perspectivePass redoes detection for that case on gozxing's own
// binarised image and finder pattern candidates: any three candidates
// forming a plausible L (module sizes within a factor of 2), the
// dimension counted with the module size varying along each side, the
// fourth corner and the alignment pattern placed by the projective
// transform the three patterns' module sizes imply, then gozxing's grid
// sampler and decoder (whose Reed–Solomon check rejects wrong guesses).

// perspectivePass reads codes in g whose finder patterns the ordinary
// detector finds but cannot use. It is a late pass: ordinary passes run
// first.
func perspectivePass(g *gray, c *collector) bool {
	if c.work > 0 && c.work+int64(g.w)*int64(g.h) > maxPassPixels {
		return false
	}
	c.work += int64(g.w) * int64(g.h)
	src := newLumSource(g)
	n := len(c.texts)
	for _, s := range []gozxing.LuminanceSource{src, src.Invert()} {
		perspectiveDecode(s, c)
		if len(c.texts) > n {
			return true
		}
	}
	return false
}

func perspectiveDecode(src gozxing.LuminanceSource, c *collector) {
	defer func() { _ = recover() }() // a failed guess, not a crash
	bm, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return
	}
	cands := finderCandidates(bm)
	sort.Slice(cands, func(i, j int) bool { return cands[i].GetCount() > cands[j].GetCount() })
	if len(cands) > 8 {
		cands = cands[:8]
	}
	type triple struct {
		bl, tl, tr *detector.FinderPattern
		score      float64
	}
	var ts []triple
	for i := 0; i < len(cands); i++ {
		for j := i + 1; j < len(cands); j++ {
			for k := j + 1; k < len(cands); k++ {
				a, b, d := cands[i], cands[j], cands[k]
				lo := min(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), d.GetEstimatedModuleSize())
				hi := max(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), d.GetEstimatedModuleSize())
				if hi > 2*lo {
					continue
				}
				bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(a, b, d)
				t := triple{bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern), 0}
				// How far from an L: the two legs' lengths in modules and
				// the angle between them.
				l1 := dist(t.tl, t.tr) / ((t.tl.GetEstimatedModuleSize() + t.tr.GetEstimatedModuleSize()) / 2)
				l2 := dist(t.tl, t.bl) / ((t.tl.GetEstimatedModuleSize() + t.bl.GetEstimatedModuleSize()) / 2)
				if l1 < 10 || l2 < 10 {
					continue
				}
				ux, uy := t.tr.GetX()-t.tl.GetX(), t.tr.GetY()-t.tl.GetY()
				vx, vy := t.bl.GetX()-t.tl.GetX(), t.bl.GetY()-t.tl.GetY()
				cos := (ux*vx + uy*vy) / math.Hypot(ux, uy) / math.Hypot(vx, vy)
				if math.Abs(cos) > 0.6 {
					continue
				}
				t.score = math.Abs(l1-l2)/max(l1, l2) + math.Abs(cos)
				ts = append(ts, t)
			}
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].score < ts[j].score })
	for i, t := range ts {
		if i == 4 {
			break
		}
		if text, ok := decodePerspective(bm, t.tl, t.tr, t.bl); ok {
			c.addText(text)
			return
		}
	}
}

func dist(a, b gozxing.ResultPoint) float64 {
	return math.Hypot(a.GetX()-b.GetX(), a.GetY()-b.GetY())
}

// decodePerspective tries the dimensions and projective models the three
// finder patterns allow, and returns the first that decodes.
func decodePerspective(bm *gozxing.BitMatrix, tl, tr, bl *detector.FinderPattern) (string, bool) {
	sTL, sTR, sBL := tl.GetEstimatedModuleSize(), tr.GetEstimatedModuleSize(), bl.GetEstimatedModuleSize()
	// Modules between the centres, the module size varying linearly
	// along each side: distance × mean of 1/size.
	top := dist(tl, tr) * (1/sTL + 1/sTR) / 2
	left := dist(tl, bl) * (1/sTL + 1/sBL) / 2
	// The estimate can be off by several modules (the finder patterns'
	// sizes are rough): every 4k+1 within 9 of it, nearest first.
	est := (top+left)/2 + 7
	var dims []int
	for d := 21; d <= 177; d += 4 {
		if math.Abs(float64(d)-est) <= 9 {
			dims = append(dims, d)
		}
	}
	sort.Slice(dims, func(i, j int) bool { return math.Abs(float64(dims[i])-est) < math.Abs(float64(dims[j])-est) })
	for _, dim := range dims {
		if dim < 21 || dim > 177 {
			continue
		}
		version, err := decoder.Version_GetProvisionalVersionForDimension(dim)
		if err != nil {
			continue
		}
		// Projective weights: local linear size ∝ w^-k; k = 1.5 for the
		// square root of the area scale, 1 for a pure length, 2 for a
		// stronger guess. The finder patterns' sizes are rough (±20 % on
		// small blurred codes), so each side is also tried as if it had
		// no perspective at all (weight 1).
		var weights [][2]float64
		for _, k := range []float64{1.5, 1, 2} {
			weights = append(weights, [2]float64{math.Pow(sTL/sTR, 1/k), math.Pow(sTL/sBL, 1/k)})
		}
		weights = append(weights, [2]float64{1, weights[0][1]}, [2]float64{weights[0][0], 1}, [2]float64{1, 1})
		for _, wt := range weights {
			wTR, wBL := wt[0], wt[1]
			at := func(u, v float64) (float64, float64) {
				w := 1 + u*(wTR-1) + v*(wBL-1)
				x := tl.GetX() + u*(wTR*tr.GetX()-tl.GetX()) + v*(wBL*bl.GetX()-tl.GetX())
				y := tl.GetY() + u*(wTR*tr.GetY()-tl.GetY()) + v*(wBL*bl.GetY()-tl.GetY())
				return x / w, y / w
			}
			span := float64(dim - 7)
			type corner struct{ x, y, fx, fy float64 }
			brX, brY := at(1, 1)
			corners := []corner{{brX, brY, float64(dim) - 3.5, float64(dim) - 3.5}}
			if len(version.GetAlignmentPatternCenters()) > 0 {
				u := (float64(dim) - 10) / span
				ax, ay := at(u, u)
				size := (sTR + sBL) / 2 * (sTR + sBL) / (2 * sTL) // extrapolated to the far corner
				for _, allow := range []float64{4, 8} {
					if ap := findAlignment(bm, ax, ay, size, allow); ap != nil {
						corners = append([]corner{{ap.GetX(), ap.GetY(), float64(dim) - 6.5, float64(dim) - 6.5}}, corners...)
						break
					}
				}
			}
			for _, q := range corners {
				t := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
					3.5, 3.5, float64(dim)-3.5, 3.5, q.fx, q.fy, 3.5, float64(dim)-3.5,
					tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), q.x, q.y, bl.GetX(), bl.GetY())
				bits, err := common.GridSampler_GetInstance().SampleGridWithTransform(bm, dim, dim, t)
				if err != nil {
					continue
				}
				if r, err := decoder.NewDecoder().Decode(bits, hints); err == nil && r.GetText() != "" {
					return r.GetText(), true
				}
			}
		}
	}
	return "", false
}

// findAlignment looks for an alignment pattern of about size-pixel
// modules within allow modules of (x, y).
func findAlignment(bm *gozxing.BitMatrix, x, y, size, allow float64) *detector.AlignmentPattern {
	r := int(allow * size)
	x0, y0 := max(0, int(x)-r), max(0, int(y)-r)
	x1, y1 := min(bm.GetWidth()-1, int(x)+r), min(bm.GetHeight()-1, int(y)+r)
	if float64(x1-x0) < 3*size || float64(y1-y0) < 3*size {
		return nil
	}
	ap, err := detector.NewAlignmentPatternFinder(bm, x0, y0, x1-x0, y1-y0, size, nil).Find()
	if err != nil {
		return nil
	}
	return ap
}

// finderCandidates scans every other row for the 1:1:3:1:1 run pattern and
// keeps the places that cross-check vertically and horizontally, as
// gozxing's FinderPatternFinder does, but without its diagonal check: the
// finder patterns of a code seen at an angle are sheared, and their
// diagonals no longer show the ratio.
func finderCandidates(bm *gozxing.BitMatrix) []*detector.FinderPattern {
	ff := detector.NewFinderPatternFinder(bm, nil)
	var cands []*detector.FinderPattern
	add := func(sc []int, i, j int) {
		total := sc[0] + sc[1] + sc[2] + sc[3] + sc[4]
		cj := float64(j-sc[4]-sc[3]) - float64(sc[2])/2
		// Seen at an angle, a finder pattern can be up to twice as tall
		// as it is wide (or the reverse): gozxing's cross checks allow
		// 40 %, so the vertical one is also asked with the height
		// expected at a 1.6 aspect ratio either way.
		ci, vtotal := math.NaN(), 0
		for _, want := range []int{total, total * 8 / 5, total * 5 / 8} {
			if ci = ff.CrossCheckVertical(i, int(cj), 2*sc[2], want); !math.IsNaN(ci) {
				break
			}
		}
		if math.IsNaN(ci) {
			return
		}
		cj = ff.CrossCheckHorizontal(int(cj), int(ci), 2*sc[2], total)
		if math.IsNaN(cj) {
			return
		}
		vtotal = runsAcross(bm, int(cj), int(ci))
		if vtotal == 0 {
			vtotal = total
		}
		size := float64(total+vtotal) / 14
		for k, c := range cands {
			if c.AboutEquals(size, ci, cj) {
				cands[k] = c.CombineEstimate(ci, cj, size)
				return
			}
		}
		cands = append(cands, detector.NewFinderPattern1(cj, ci, size))
	}
	w, h := bm.GetWidth(), bm.GetHeight()
	sc := make([]int, 5)
	for i := 1; i < h; i += 2 {
		clear(sc)
		state := 0
		for j := 0; j < w; j++ {
			if bm.Get(j, i) {
				if state&1 == 1 {
					state++
				}
				sc[state]++
				continue
			}
			if state&1 == 1 {
				sc[state]++
				continue
			}
			if state < 4 {
				state++
				sc[state]++
				continue
			}
			if detector.FinderPatternFinder_foundPatternCross(sc) {
				add(sc, i, j)
			}
			sc[0], sc[1], sc[2], sc[3], sc[4] = sc[2], sc[3], sc[4], 1, 0
			state = 3
		}
		if detector.FinderPatternFinder_foundPatternCross(sc) {
			add(sc, i, w)
		}
		if len(cands) > 64 {
			break // a page of noise, not codes
		}
	}
	return cands
}

// runsAcross measures a finder pattern's height at column x through its
// centre y: the black centre, the white ring and the black ring, up and
// down. It returns 0 when the runs do not close within the image.
func runsAcross(bm *gozxing.BitMatrix, x, y int) int {
	if !bm.Get(x, y) {
		return 0
	}
	total := 1
	for _, dir := range []int{-1, 1} {
		yy, n := y+dir, 0
		for _, black := range []bool{true, false, true} {
			for yy >= 0 && yy < bm.GetHeight() && bm.Get(x, yy) == black {
				yy += dir
				n++
			}
		}
		if yy < 0 || yy >= bm.GetHeight() {
			return 0
		}
		total += n
	}
	return total
}
