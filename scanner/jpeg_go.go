//go:build !cgo || vmfa_nolibjpeg

package scanner

// jpegScaling reports that JPEGs are decoded whole by Go's image/jpeg
// (this build has no cgo): scaled versions are made afterwards.
const jpegScaling = false

// decodeJPEGGray decodes a JPEG with Go's decoder and returns its
// luminance, halved until it is at most 1/denom of its size.
func decodeJPEGGray(data []byte, w, h, denom int) (*gray, error) {
	return decodeJPEGGo(data, denom)
}
