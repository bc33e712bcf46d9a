//go:build !cgo || vmfa_nolibjpeg

package scanner

import (
	"bytes"
	"fmt"
	"image/jpeg"
)

// jpegScaling reports that JPEGs are decoded whole by Go's image/jpeg
// (this build has no cgo): scaled versions are made afterwards.
const jpegScaling = false

// decodeJPEGGray decodes a JPEG with Go's decoder and returns its
// luminance, halved until it is at most 1/denom of its size.
func decodeJPEGGray(data []byte, w, h, denom int) (*gray, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrImageDamaged, err)
	}
	g := toGray(img)
	for d := 1; d < denom; d *= 2 {
		g = downscale2(g)
	}
	return g, nil
}
