//go:build !windows

package scanner

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSMB is a finished child's peak resident set size in MiB.
func peakRSSMB(ps *os.ProcessState) (float64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20), true // bytes there
	}
	return float64(ru.Maxrss) / 1024, true // KiB
}
