package tui

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// Store is what the TUI needs from the vault. Every method is called from
// inside a tea.Cmd, never from Update or View. VaultStore adapts a
// *vault.Vault; tests use an in-memory fake.
type Store interface {
	// Accounts returns a copy of every account in display order.
	Accounts() []vault.Account
	// Add stores new accounts.
	Add(accts ...vault.Account) error
	// AdvanceHOTP moves an HOTP counter forward by n (2 when the current
	// and next codes are both shown), saves it, and returns the account.
	AdvanceHOTP(id string, n uint64) (vault.Account, error)
	// Edit applies fn to one account and saves it; an error from fn
	// aborts with nothing written.
	Edit(id string, fn func(a *vault.Account) error) error
	// Delete removes one account.
	Delete(id string) error
	// Reorder gives the accounts with these IDs ascending Order values in
	// the order given.
	Reorder(ids []string) error
}

// Opener opens the vault. passphrase is called only when the vault uses
// (or is being created with) a passphrase; the TUI's own implementation
// returns the passphrase typed on its prompt screen, or ErrNeedPassphrase
// when none has been typed yet, which makes the TUI show that screen and
// call Opener again.
type Opener func(passphrase func(confirm bool) ([]byte, error)) (Store, error)

// ErrNeedPassphrase is returned by the passphrase callback handed to an
// Opener before the user has typed a passphrase. Openers must pass it
// through (wrapped with %w is fine).
var ErrNeedPassphrase = errors.New("passphrase required")

// Clipboard puts copied codes where the user can paste them.
// *clipboard.Clipboard (package internal/clipboard) is the real one.
type Clipboard interface {
	// Copy puts text on every clipboard it can reach. The result says
	// which took it and carries the escape sequence (OSC 52) the TUI
	// writes to the terminal.
	Copy(text string) clipboard.Result
	// Clear empties the clipboards a copy reached, where they still
	// hold text (or cannot be read back).
	Clear(text string, copied clipboard.Result) clipboard.Result
}

// Config configures Run.
type Config struct {
	// Open opens the vault; it runs in a command, bounded by OpenTimeout.
	Open Opener
	// CreateWithPassphrase, when set, is offered (key p) on the keyring
	// error screens while no vault exists yet: it opens the vault
	// creating it with a passphrase instead of a keyring key.
	CreateWithPassphrase Opener
	// Restore, when set, is offered (key b) on the damaged-vault and
	// older-copy screens: the backups are listed and the one chosen is
	// put back (vault.Restore) after a question.
	Restore Restorer
	// VaultPath is the vault file, for error screens (where backups are)
	// and to tell whether the vault exists yet.
	VaultPath string
	// OpenTimeout bounds Open so that a keyring that never answers cannot
	// freeze the screen (default 15 s).
	OpenTimeout time.Duration
	// TimeOffset simulates a drifted device clock (--time-offset),
	// rounded to whole seconds.
	TimeOffset time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
	// Clipboard defaults to every clipboard reachable from this process
	// (clipboard.New).
	Clipboard Clipboard
	// ClearClipboard clears the clipboard this long after a copy, if it
	// still holds the code (0 = never; vmfa sets 30 s).
	ClearClipboard time.Duration
	// ClearLater is called when the TUI quits before a clear is due,
	// with the code, where its copy went and when to clear: vmfa hands
	// it to a small process of its own that waits and clears.
	ClearLater func(text string, copied clipboard.Result, at time.Time)
	// HideNext hides the next code column at start (it is shown by
	// default; n toggles it).
	HideNext bool
	// LogFile receives debug logs when set; nothing is ever logged to
	// the screen.
	LogFile string
	// Decoders turn outside input into accounts (default: package
	// scanner).
	Decoders Decoders
	// SecurityKeys returns the service behind the security keys screen
	// (key F), given the open store (whose blobs keep the virtual keys'
	// state when it is a BlobStore). It is called once, the first time
	// the screen opens. Nil leaves the screen out.
	SecurityKeys func(s Store) KeyService
	// KeyTimeout bounds each security key operation, such as the wait
	// for a touch (default DefaultKeyTimeout).
	KeyTimeout time.Duration
	// NoAltScreen keeps the normal screen (tests).
	NoAltScreen bool
	// FPS caps the renderer's frame rate (default DefaultFPS); the
	// model itself wakes once a second.
	FPS int

	// plainQR draws QR codes with characters only, for the terminal's
	// background (NO_COLOR with the default drawing).
	plainQR bool
}

// DefaultFPS is the renderer frame rate: fast enough that typing feels
// immediate, half Bubble Tea's default to halve idle wake-ups.
const DefaultFPS = 30

// Decoders are the parsing and rendering functions the add and show-QR
// screens call; they live in package scanner, never in tui.
type Decoders struct {
	// ParseURI parses an otpauth:// or otpauth-migration:// URI.
	ParseURI func(s string) ([]vault.Account, error)
	// ScanFiles decodes the QR codes in image files, putting a Google
	// Authenticator export spread over several images back together
	// (scanner.ScanFiles). On error the result still holds the accounts
	// that were read: the add screen lists them under the error (say,
	// which codes of an export are missing) and lets the user add the
	// missing images.
	ScanFiles func(paths ...string) ([]vault.Account, error)
	// QRText draws text as a QR code with block characters, in the
	// given style (scanner.QRText).
	QRText func(text string, s scanner.QRStyle) (string, error)
	// AccountURI returns the otpauth URI of an account.
	AccountURI func(a vault.Account) string
	// ImportFile reads an export or backup file in any format of
	// scanner's table (scanner.Import, the format detected), with the
	// password of an encrypted one once the user typed it (nil before:
	// an error that is scanner.ErrPasswordNeeded makes the screen ask).
	ImportFile func(path string, password []byte) (*ImportedFile, error)
	// ScanClipboard and ScanScreen decode the QR codes of the image on
	// the desktop's clipboard and of a grab of the whole screen (vmfa
	// add --clipboard and --screen). Nil leaves the QR screen's ctrl+v
	// and ctrl+s out.
	ScanClipboard func() ([]vault.Account, error)
	ScanScreen    func() ([]vault.Account, error)
}

// Run starts the TUI and returns when the user quits. The terminal is
// restored on every exit path, Ctrl-C included.
func Run(cfg Config) error {
	if cfg.Open == nil {
		return errors.New("no vault to open")
	}
	if cfg.LogFile != "" {
		f, err := tea.LogToFile(cfg.LogFile, "vmfa")
		if err != nil {
			return fmt.Errorf("cannot open log file: %w", err)
		}
		defer f.Close()
	} else {
		log.SetOutput(io.Discard)
	}
	// Bubble Tea and its renderer trace every byte written to the
	// terminal (codes, revealed secrets, the clipboard's OSC 52) to the
	// files these name: never for vmfa.
	os.Unsetenv("TEA_TRACE")
	os.Unsetenv("UV_DEBUG")
	out := cfg.Output
	if out == nil {
		out = os.Stdout
	}
	if cfg.Clipboard == nil {
		cfg.Clipboard = clipboard.New()
	}
	if os.Getenv("NO_COLOR") != "" && cfg.Decoders.QRText == nil {
		// The default QR drawing sets black-on-white explicitly; under
		// NO_COLOR it is drawn with characters only, for the terminal's
		// background as the terminal reports it.
		cfg.plainQR = true
	}
	fps := cfg.FPS
	if fps <= 0 {
		fps = DefaultFPS
	}
	opts := []tea.ProgramOption{tea.WithOutput(out), tea.WithFPS(fps)}
	if cfg.Input != nil {
		opts = append(opts, tea.WithInput(cfg.Input))
	}
	p := tea.NewProgram(New(cfg), opts...)
	final, err := p.Run()
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) {
			return nil
		}
		return fmt.Errorf("terminal: %w", err)
	}
	m, ok := final.(Model)
	if !ok {
		return nil
	}
	if c := m.clip; cfg.ClearLater != nil && c.text != "" && c.res.OK() && !c.clearAt.IsZero() {
		cfg.ClearLater(c.text, c.res, c.clearAt)
	}
	return m.fatal
}
