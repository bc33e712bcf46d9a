package scanner

import (
	"bytes"
	"fmt"
	"image/jpeg"
)

// decodeJPEGGo decodes a JPEG with Go's image/jpeg and returns its
// luminance, halved until it is at most 1/denom of its size: the decoder
// of builds without cgo, and the fallback for what libjpeg refuses.
func decodeJPEGGo(data []byte, denom int) (*gray, error) {
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
