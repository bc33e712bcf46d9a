package tui

import "github.com/charmbracelet/lipgloss"

// Styles holds every style of the TUI. Colours are adaptive and dropped
// entirely under NO_COLOR or a colourless terminal (lipgloss's colour
// profile), so layout never depends on colour: the selected row has a
// cursor mark, and expiring codes show their seconds left ("5s") and a
// nearly empty bar besides their colour.
type Styles struct {
	Title, Header, Offset     lipgloss.Style
	Issuer, Name, Dim, Tag    lipgloss.Style
	Code, Next, Expiring      lipgloss.Style
	BarFull, BarEmpty         lipgloss.Style
	Cursor, Fav               lipgloss.Style
	Status, Error, Hint, Help lipgloss.Style
	Box, FieldLabel           lipgloss.Style
	Warn                      lipgloss.Style
}

// DefaultStyles returns vmfa's styles.
func DefaultStyles() Styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A32A3", Dark: "#B392F0"}
	dim := lipgloss.AdaptiveColor{Light: "#6A737D", Dark: "#8B949E"}
	warn := lipgloss.AdaptiveColor{Light: "#B31D28", Dark: "#F97583"}
	ok := lipgloss.AdaptiveColor{Light: "#22863A", Dark: "#85E89D"}
	return Styles{
		Title:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		Header:     lipgloss.NewStyle().Foreground(dim),
		Offset:     lipgloss.NewStyle().Bold(true).Foreground(warn),
		Issuer:     lipgloss.NewStyle().Bold(true),
		Name:       lipgloss.NewStyle(),
		Dim:        lipgloss.NewStyle().Foreground(dim),
		Tag:        lipgloss.NewStyle().Foreground(accent),
		Code:       lipgloss.NewStyle().Bold(true).Foreground(ok),
		Next:       lipgloss.NewStyle().Foreground(dim),
		Expiring:   lipgloss.NewStyle().Bold(true).Foreground(warn),
		BarFull:    lipgloss.NewStyle().Foreground(ok),
		BarEmpty:   lipgloss.NewStyle().Foreground(dim),
		Cursor:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Fav:        lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#B08800", Dark: "#FFEA7F"}),
		Status:     lipgloss.NewStyle().Foreground(ok),
		Error:      lipgloss.NewStyle().Bold(true).Foreground(warn),
		Hint:       lipgloss.NewStyle().Foreground(dim),
		Help:       lipgloss.NewStyle(),
		Box:        lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		FieldLabel: lipgloss.NewStyle().Bold(true),
		Warn:       lipgloss.NewStyle().Foreground(warn),
	}
}
