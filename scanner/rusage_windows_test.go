//go:build windows

package scanner

import "os"

// peakRSSMB is not measured on Windows.
func peakRSSMB(ps *os.ProcessState) (float64, bool) { return 0, false }
