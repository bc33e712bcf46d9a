package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/clipboard"
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

// TestTUIQRSources: the QR screen's ctrl+v and ctrl+s are add
// --clipboard's and --screen's own readers (their messages prove it):
// without a display each says so.
func TestTUIQRSources(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	cfg, err := tuiConfig(rootCmd)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Decoders.ScanClipboard == nil || cfg.Decoders.ScanScreen == nil {
		t.Fatal("the TUI's QR screen has no clipboard or screen source")
	}
	if _, err := cfg.Decoders.ScanClipboard(); !errors.Is(err, clipboard.ErrNoImage) || !strings.Contains(err.Error(), "no desktop clipboard") {
		t.Errorf("clipboard without a display: %v", err)
	}
	if _, err := cfg.Decoders.ScanScreen(); err == nil || !strings.Contains(err.Error(), "cannot grab the screen: no display") {
		t.Errorf("screen without a display: %v", err)
	}
}
