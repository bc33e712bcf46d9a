package secmem

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// vmLck is the locked memory of this process in kB (/proc/self/status).
func vmLck(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmLck:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmLck in /proc/self/status")
	return 0
}

func TestAllocIsLockedAndFreeZeroes(t *testing.T) {
	k := Alloc(32)
	if len(k) != 32 {
		t.Fatalf("len %d", len(k))
	}
	if !Locked(k) {
		t.Skip("mlock is not allowed here (RLIMIT_MEMLOCK)")
	}
	if vmLck(t) == 0 {
		t.Error("VmLck is 0 with a secret allocated")
	}
	for i := range k {
		k[i] = 0xA5
	}
	Free(k)
	for i, b := range k[:cap(k)] {
		if b != 0 {
			t.Fatalf("byte %d is %#x after Free", i, b)
		}
	}
	// The slot is reused, not leaked.
	k2 := Alloc(32)
	if &k2[0] != &k[0] {
		t.Error("a freed slot was not reused")
	}
	Free(k2)
	big := Alloc(SlotSize + 1)
	big[0] = 1
	Free(big)
	if big[0] != 0 {
		t.Error("a large secret was not zeroed")
	}
}
