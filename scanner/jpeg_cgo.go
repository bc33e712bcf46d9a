//go:build cgo && !vmfa_nolibjpeg

package scanner

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

struct vmfa_jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void vmfa_jerr_exit(j_common_ptr c) {
	struct vmfa_jerr *e = (struct vmfa_jerr *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

static void vmfa_jerr_output(j_common_ptr c) { (void)c; }

// vmfa_jpeg_gray decodes a JPEG's luminance at 1/denom scale (DCT
// scaling: only the coefficients needed are transformed) into out, whose
// size is cap. max_mem bounds libjpeg's own allocations (coefficient
// buffers of progressive images included). It returns 0 and the output
// size, or -1 and a message.
static int vmfa_jpeg_gray(const unsigned char *data, unsigned long n, int denom, long max_mem,
                          unsigned char *out, long cap, int *w, int *h, char *msg) {
	struct jpeg_decompress_struct cinfo;
	struct vmfa_jerr jerr;
	JSAMPROW row;
	memset(&cinfo, 0, sizeof cinfo);
	cinfo.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = vmfa_jerr_exit;
	jerr.pub.output_message = vmfa_jerr_output;
	jerr.msg[0] = 0;
	if (setjmp(jerr.jb)) {
		strncpy(msg, jerr.msg, JMSG_LENGTH_MAX - 1);
		msg[JMSG_LENGTH_MAX - 1] = 0;
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = max_mem;
	jpeg_mem_src(&cinfo, data, n);
	jpeg_read_header(&cinfo, TRUE);
	cinfo.out_color_space = JCS_GRAYSCALE;
	cinfo.scale_num = 1;
	cinfo.scale_denom = denom;
	cinfo.dct_method = JDCT_ISLOW;
	cinfo.do_fancy_upsampling = FALSE;
	jpeg_calc_output_dimensions(&cinfo);
	if ((long)cinfo.output_width * (long)cinfo.output_height > cap) {
		strcpy(msg, "output larger than announced");
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	*w = cinfo.output_width;
	*h = cinfo.output_height;
	jpeg_start_decompress(&cinfo);
	while (cinfo.output_scanline < cinfo.output_height) {
		row = out + (long)cinfo.output_scanline * cinfo.output_width;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// jpegScaling reports that JPEGs are decoded by libjpeg-turbo: luminance
// only, at 1/2, 1/4 or 1/8 scale when asked.
const jpegScaling = true

// decodeJPEGGray decodes the luminance of a JPEG of w×h pixels (from its
// header) at 1/denom scale (denom 1, 2, 4 or 8).
func decodeJPEGGray(data []byte, w, h, denom int) (*gray, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w (empty jpeg)", ErrImageDamaged)
	}
	ow, oh := (w+denom-1)/denom, (h+denom-1)/denom
	out := make([]byte, ow*oh)
	var cw, ch C.int
	msg := (*C.char)(C.malloc(C.JMSG_LENGTH_MAX))
	defer C.free(unsafe.Pointer(msg))
	// data and out hold no Go pointers, so C may use them during the call.
	rc := C.vmfa_jpeg_gray((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), C.int(denom), C.long(MaxDecodeBytes),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.long(len(out)), &cw, &ch, msg)
	if rc != 0 {
		// What libjpeg cannot give as greyscale (CMYK and YCCK JPEGs) or
		// refuses, Go's decoder may still read.
		if g, err := decodeJPEGGo(data, denom); err == nil {
			return g, nil
		}
		return nil, fmt.Errorf("%w (jpeg: %s)", ErrImageDamaged, C.GoString(msg))
	}
	if int(cw)*int(ch) != len(out) {
		return &gray{w: int(cw), h: int(ch), pix: out[:int(cw)*int(ch)]}, nil
	}
	return &gray{w: int(cw), h: int(ch), pix: out}, nil
}
