package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// Importing a file from the add menu (f): any format 'vmfa import' reads
// (scanner's format table, detected from the content). An encrypted
// backup asks for its password on a masked field; the accounts read are
// listed with checkboxes, as a migration batch is.

// ImportedFile is what Decoders.ImportFile read.
type ImportedFile struct {
	Accounts []vault.Account
	// Format is the format detected ("aegis", "bitwarden-json"…).
	Format string
	// Skipped names the entries left out (invalid, unsupported) and
	// those imported with a warning, one line each.
	Skipped []string
}

// needPasswordMsg: the file is encrypted (or a wrong password was given).
type needPasswordMsg struct {
	path string
	err  error
}

// importFile reads an export or token file with scanner.Import, invalid
// entries left out and named.
func importFile(path string, password []byte) (*ImportedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts := []scanner.ImportOption{scanner.SkipInvalid()}
	if password != nil {
		opts = append(opts, scanner.WithPassword(password), scanner.WithPSKCKey(scanner.PSKCKey{Passphrase: password}))
	}
	res, err := scanner.Import(f, scanner.FormatAuto, opts...)
	if err != nil {
		return nil, err
	}
	out := &ImportedFile{Accounts: res.Accounts, Format: res.Format}
	for _, l := range [][]scanner.Invalid{res.Invalid, res.Unsupported} {
		for _, inv := range l {
			out.Skipped = append(out.Skipped, fmt.Sprintf("skipped %s: %v", inv.Entry, inv.Err))
		}
	}
	for _, w := range res.Warnings {
		out.Skipped = append(out.Skipped, fmt.Sprintf("warning: %s: %v", w.Entry, w.Err))
	}
	return out, nil
}

// needsPassword tells whether err asks for the file's password.
func needsPassword(err error) bool {
	return errors.Is(err, scanner.ErrPasswordNeeded) || errors.Is(err, scanner.ErrPSKCPassphrase) || errors.Is(err, scanner.ErrWrongPassword)
}

// newFileScreen is the QR screen in file mode.
func newFileScreen(st *Styles, dec Decoders) *qrScreen {
	s := newQRScreen(st, dec)
	s.file, s.keys.sources = true, false
	s.keys.Submit.SetHelp("enter", "read")
	s.input = newInput("file: ", "e.g. ~/Downloads/aegis-backup.json")
	s.pass = newInput("password: ", "the backup's password")
	s.pass.EchoMode = textinput.EchoPassword
	s.pass.EchoCharacter = '•'
	return s
}

// readFile reads the typed file (with its password once asked) in a
// command.
func (s *qrScreen) readFile(typed string, password []byte) tea.Cmd {
	read := s.dec.ImportFile
	s.busy, s.err, s.choices = true, "", nil
	return func() tea.Msg {
		if read == nil {
			return scanFailedMsg{err: errNoDecoder}
		}
		paths := typedPaths(typed)
		switch {
		case len(paths) == 0:
			return scanFailedMsg{err: errors.New("type the path of the file, or press ctrl+o to browse")}
		case len(paths) > 1:
			return scanFailedMsg{err: errors.New("one file at a time: type a single path (quote one with spaces)")}
		}
		res, err := read(paths[0], password)
		if err != nil {
			if needsPassword(err) {
				return needPasswordMsg{path: paths[0], err: err}
			}
			return scanFailedMsg{err: err}
		}
		msg := decodedMsg{accts: res.Accounts, source: filepath.Base(paths[0]) + " (" + res.Format + ")"}
		if skipped := res.Skipped; len(skipped) > 0 {
			if len(skipped) > 3 {
				skipped = append(skipped[:2:2], fmt.Sprintf("… and %d more (vmfa import FILE --dry-run lists them all)", len(res.Skipped)-2))
			}
			msg.warn = strings.Join(skipped, "\n")
		}
		return msg
	}
}

// passwordKey handles a key press while the password is asked.
func (s *qrScreen) passwordKey(km tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(km, s.keys.Cancel):
		s.asking, s.err = false, ""
		s.pass.Reset()
		s.pass.Blur()
		return s.input.Focus()
	case key.Matches(km, s.keys.Submit):
		if s.pass.Value() == "" {
			s.err = "type the backup's password"
			return nil
		}
		p := []byte(s.pass.Value())
		s.pass.Reset()
		return s.readFile(quotePath(s.askPath), p)
	}
	var cmd tea.Cmd
	s.pass, cmd = s.pass.Update(km)
	return cmd
}
