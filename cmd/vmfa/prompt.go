package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/envsecret"
	"golang.org/x/term"

	"github.com/vmfa/vmfa/vault"
)

// passphraseSource returns the vault's passphrase callback: the file named
// by VMFA_PASSPHRASE_FILE, else $VMFA_PASSPHRASE, else a hidden prompt on
// the terminal.
func passphraseSource(cmd *cobra.Command) func(confirm bool) ([]byte, error) {
	return func(confirm bool) ([]byte, error) {
		if f := os.Getenv("VMFA_PASSPHRASE_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("cannot read VMFA_PASSPHRASE_FILE: %w", err)
			}
			return bytes.TrimRight(b, "\r\n"), nil
		}
		if p, ok := envsecret.Lookup("VMFA_PASSPHRASE"); ok {
			return []byte(p), nil
		}
		if f, err := tty(); err != nil {
			return nil, fmt.Errorf("%w, and there is no terminal to ask it on", vault.ErrPassphraseRequired)
		} else {
			f.Close()
		}
		p, err := readHidden(cmd, "vault passphrase: ")
		if err != nil {
			return nil, err
		}
		if confirm {
			q, err := readHidden(cmd, "again, to confirm: ")
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(p, q) {
				return nil, errors.New("the passphrases do not match")
			}
		}
		return p, nil
	}
}

// newPassphraseSource is the new passphrase of 'vault rekey' and 'vault
// passwd': the file named by VMFA_NEW_PASSPHRASE_FILE, else
// $VMFA_NEW_PASSPHRASE, else asked twice on the terminal.
func newPassphraseSource(cmd *cobra.Command) func(confirm bool) ([]byte, error) {
	return func(bool) ([]byte, error) {
		if f := os.Getenv("VMFA_NEW_PASSPHRASE_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("cannot read VMFA_NEW_PASSPHRASE_FILE: %w", err)
			}
			return bytes.TrimRight(b, "\r\n"), nil
		}
		if p, ok := envsecret.Lookup("VMFA_NEW_PASSPHRASE"); ok {
			return []byte(p), nil
		}
		p, err := readHidden(cmd, "new vault passphrase: ")
		if err != nil {
			return nil, err
		}
		q, err := readHidden(cmd, "again, to confirm: ")
		if err != nil {
			return nil, err
		}
		defer clear(q)
		if !bytes.Equal(p, q) {
			clear(p)
			return nil, errors.New("the passphrases do not match")
		}
		return p, nil
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// tty opens the controlling terminal for prompts, so that stdin stays free
// for data.
func tty() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errors.New("no terminal to prompt on")
	}
	return f, nil
}

// readHidden prompts on the terminal and reads a line without echo.
func readHidden(cmd *cobra.Command, prompt string) ([]byte, error) {
	f, err := tty()
	if err != nil {
		return nil, fmt.Errorf("%s (use a flag or environment variable instead)", err)
	}
	defer f.Close()
	fmt.Fprint(f, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read from the terminal: %w", err)
	}
	return b, nil
}

// readSecretStdin reads one secret from stdin (first line, at most 4 KiB).
func readSecretStdin(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4097))
	if err != nil {
		return "", fmt.Errorf("cannot read the secret from stdin: %w", err)
	}
	if len(b) > 4096 {
		return "", errors.New("the secret on stdin is longer than 4 KiB")
	}
	s := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	if s == "" {
		return "", errors.New("no secret on stdin")
	}
	return s, nil
}

// stdinURI is one URI of `add --uri -` and its line number (from 1).
type stdinURI struct {
	line int
	uri  string
}

// readURIsStdin reads the URIs of `add --uri -`: one per line, blank lines
// and # comments ignored, at most 1 MiB.
func readURIsStdin(r io.Reader) ([]stdinURI, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read stdin: %w", err)
	}
	if len(b) > 1<<20 {
		return nil, errors.New("more than 1 MiB on stdin; use 'vmfa import' for large lists")
	}
	var out []stdinURI
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, stdinURI{i + 1, line})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no uri on stdin")
	}
	return out, nil
}

// confirm asks a yes/no question on the terminal; no terminal means no.
func confirm(question string) bool {
	f, err := tty()
	if err != nil {
		return false
	}
	defer f.Close()
	fmt.Fprintf(f, "%s [y/N] ", question)
	line, _ := bufio.NewReader(f).ReadString('\n')
	line = strings.ToLower(strings.TrimSpace(line))
	return line == "y" || line == "yes"
}
