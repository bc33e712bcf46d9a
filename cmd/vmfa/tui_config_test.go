package main

import (
	"strings"
	"testing"
	"time"
)

func TestClipboardClearSetting(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"", 30 * time.Second, ""},
		{"0", 0, ""},
		{"45", 45 * time.Second, ""},
		{"2m", 2 * time.Minute, ""},
		{"1m30s", 90 * time.Second, ""},
		{"soon", 0, `the VMFA_CLIPBOARD_CLEAR value "soon" is not a duration like 30s (0 = never clear)`},
		{"-5s", 0, "is not a duration"},
	}
	for _, tt := range tests {
		got, err := clipboardClear(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
