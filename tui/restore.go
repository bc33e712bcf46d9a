package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

// Restoring a backup from the damaged-vault and rolled-back screens (key
// b): the backups are listed, newest first; the one chosen is put back
// after a question, through vault.Restore, which keeps the file it
// replaces and moves the recorded generation on.

// Restorer returns the Opener that puts backup back in place of the vault
// and opens the result. Its passphrase callback works as an Opener's.
type Restorer func(backup string) Opener

// RestoreVault returns a Restorer for vault.Restore with opts (as for
// OpenVault).
func RestoreVault(opts vault.Options) Restorer {
	return func(backup string) Opener {
		return func(pass func(confirm bool) ([]byte, error)) (Store, error) {
			v, _, err := vault.Restore(typedPassphraseFirst(opts, pass), backup)
			if err != nil {
				return nil, err
			}
			return VaultStore(v), nil
		}
	}
}

// backupInfo is one backup as the list shows it.
type backupInfo struct {
	path       string
	written    time.Time
	generation uint64
	damaged    bool
}

type (
	restoreListMsg struct{} // b on the error screen
	backupsMsg     struct {
		backups []backupInfo
		err     error
	}
	restoreMsg       struct{ backup string } // the user confirmed
	restoreCancelMsg struct{}                // back to the error screen
)

// listBackups reads the vault's backups, newest first. It reads the file
// system: call it inside a command.
func listBackups(path string) ([]backupInfo, error) {
	paths, err := vault.Backups(path)
	if err != nil {
		return nil, err
	}
	out := make([]backupInfo, 0, len(paths))
	for _, p := range slices.Backward(paths) {
		b := backupInfo{path: p}
		info, err := vault.Inspect(p)
		if err != nil {
			b.damaged = true
		} else {
			b.written, b.generation = info.Written, info.Generation
		}
		out = append(out, b)
	}
	return out, nil
}

// backupsScreen lists the backups and asks before restoring one.
type backupsScreen struct {
	frame
	keys    backupsKeys
	dir     string
	loading bool
	list    []backupInfo
	err     error
	cursor  int
	ask     bool
}

func newBackupsScreen(st *Styles, vaultPath string) *backupsScreen {
	return &backupsScreen{frame: frame{st: st}, keys: newBackupsKeys(), dir: vault.BackupDir(vaultPath), loading: true}
}

func (s *backupsScreen) ShortHelp() []key.Binding {
	k := s.keys
	switch {
	case s.ask:
		return []key.Binding{k.Yes, k.No}
	case len(s.list) == 0:
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Restore, k.Up, k.Down, k.Back}
}
func (s *backupsScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *backupsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case backupsMsg:
		s.loading, s.list, s.err = false, msg.backups, msg.err
		return nil
	case tea.KeyPressMsg:
		k := s.keys
		if s.ask {
			switch {
			case key.Matches(msg, k.Yes):
				s.ask = false
				return emit(restoreMsg{backup: s.list[s.cursor].path})
			case key.Matches(msg, k.No):
				s.ask = false
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Back):
			return emit(restoreCancelMsg{})
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = max(0, min(len(s.list)-1, s.cursor+1))
		case key.Matches(msg, k.Restore) && s.cursor < len(s.list) && !s.list[s.cursor].damaged:
			s.ask = true
		}
	}
	return nil
}

func (b backupInfo) when() string {
	if b.damaged {
		return "damaged"
	}
	return b.written.Local().Format("2006-01-02 15:04:05")
}

func (s *backupsScreen) View() string {
	var b strings.Builder
	st, w := s.st, s.width-4
	var ask string // the question, wrapped (the date on one line)
	if s.ask && s.cursor < len(s.list) {
		q := fmt.Sprintf("Restore the backup written %s? y/n", s.list[s.cursor].when())
		if len(q) > w {
			q = fmt.Sprintf("Restore the backup written\n%s? y/n", s.list[s.cursor].when())
		}
		ask = "\n" + st.FieldLabel.Render(q) + "\n" + st.Hint.Render(wrap("The current file is kept as a backup too.", w)) + "\n"
	}
	b.WriteString(st.Title.Render("Restore a backup") + "\n")
	b.WriteString(st.Hint.Render(clip("Backups in "+s.dir, w)) + "\n\n")
	switch {
	case s.loading:
		b.WriteString("reading the backups…\n")
	case s.err != nil:
		b.WriteString(st.Error.Render(wrap("cannot list the backups: "+oneLine(s.err.Error()), w)) + "\n")
	case len(s.list) == 0:
		b.WriteString(st.Hint.Render(wrap("No backups: vmfa writes one before each change.", w)) + "\n")
	default:
		b.WriteString(st.Dim.Render(clip("  "+fit("WRITTEN", 21)+"GENERATION", w)) + "\n")
		// Title, hint and column heading above; the question below.
		rows := s.height - 4
		if ask != "" {
			rows -= strings.Count(ask, "\n")
		}
		rows = max(1, rows)
		first := max(0, min(s.cursor-rows+1, len(s.list)-rows))
		for i := first; i < len(s.list) && i < first+rows; i++ {
			bk := s.list[i]
			cur := "  "
			if i == s.cursor {
				cur = st.Cursor.Render("▸ ")
			}
			gen := "?"
			if !bk.damaged {
				gen = fmt.Sprint(bk.generation)
			}
			b.WriteString(clip(cur+fit(bk.when(), 21)+gen, w) + "\n")
		}
	}
	b.WriteString(ask)
	return indent(b.String(), 2)
}

// openBackups shows the backups screen and lists them.
func (m *Model) openBackups() tea.Cmd {
	path := m.cfg.VaultPath
	m.setState(stateBackups, newBackupsScreen(m.st, path))
	return func() tea.Msg {
		bs, err := listBackups(path)
		return backupsMsg{backups: bs, err: err}
	}
}

// restorable tells whether the error screen for err offers restoring a
// backup: the vault is damaged or an older copy, and restoring is wired.
func (m *Model) restorable(err error) bool {
	return m.cfg.Restore != nil && m.cfg.VaultPath != "" &&
		(errors.Is(err, vault.ErrRollback) || errors.Is(err, vault.ErrCorrupt))
}
