// Package tui is vmfa's terminal user interface, built on Bubble Tea v2,
// Lip Gloss v2 and Bubbles v2. It holds screens only: no crypto, no storage
// format and no parsing. Codes come from vault.Account.CodesAt, accounts
// from a Store (a *vault.Vault through VaultStore), decoding from package
// scanner (through Decoders), and every rule of the manual entry form from
// vault.ParseSecret and Account.Normalize.
//
// # Structure
//
// Model is the root and the only tea.Model: a state enum says which
// screen is active, and each screen is one component (the screen
// interface: its help.KeyMap, SetSize, update and View, with the shared
// frame embedded).
// Only the active screen gets messages; screens report to the root with
// typed messages returned as commands. Every I/O — opening the vault
// (bounded by Config.OpenTimeout, so a keyring that never answers cannot
// freeze the screen), saving, scanning files, listing directories, the
// clipboard — runs inside a tea.Cmd over copied values, and failures come
// back as messages shown on an error screen. Key bindings are all in
// keys.go, styles in one Styles struct.
//
// # Clock
//
// The clock is injected (Config.Now) and shifted by the simulated offset.
// A tea.Every(time.Second) tick, aligned to the wall clock and re-armed in
// its handler under a tag guard, redraws the codes: with whole-second
// periods and offsets, a code changes exactly on its period boundary.
// Bubble Tea's renderer runs at DefaultFPS; when idle the model itself
// wakes once a second.
//
// # Tests
//
// Update is driven with synthetic key messages; the view, as plain text,
// is compared with golden files at 80×24 and 120×40 (rewrite them with
// go test ./tui -run Golden -update); teatest/v2 runs the real program
// for the QR-to-code flow, watched through internal/tuitest; FuzzKeys feeds arbitrary key sequences
// at arbitrary sizes. QR fixtures are regenerated with -gen.
package tui
