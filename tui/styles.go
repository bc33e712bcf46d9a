package tui

import "charm.land/lipgloss/v2"

// Styles holds every style of the TUI. Colours follow the terminal's
// background (light or dark, as the terminal answers Bubble Tea's
// request; dark until it does) and are dropped under NO_COLOR or a
// colourless terminal (Bubble Tea's colour profile), so nothing depends
// on colour alone: the selected row has a cursor mark and, without
// colour, is drawn in reverse video across the screen; expiring codes
// show their seconds left ("5s") and a nearly empty bar, and without
// colour are bold and underlined.
type Styles struct {
	Title, Header, Offset     lipgloss.Style
	Issuer, Name, Dim, Tag    lipgloss.Style
	Code, Next, Expiring      lipgloss.Style
	BarFull, BarEmpty         lipgloss.Style
	Cursor, Fav               lipgloss.Style
	Status, Error, Hint, Help lipgloss.Style
	Box, FieldLabel           lipgloss.Style
	Warn                      lipgloss.Style
	// Selected is laid over every part of the selected row.
	Selected lipgloss.Style
}

// DefaultStyles returns vmfa's styles for a dark or light background,
// for a terminal with colours.
func DefaultStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	accent := ld(lipgloss.Color("#5A32A3"), lipgloss.Color("#B392F0"))
	dim := ld(lipgloss.Color("#6A737D"), lipgloss.Color("#8B949E"))
	warn := ld(lipgloss.Color("#B31D28"), lipgloss.Color("#F97583"))
	ok := ld(lipgloss.Color("#22863A"), lipgloss.Color("#85E89D"))
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
		Fav:        lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#B08800"), lipgloss.Color("#FFEA7F"))),
		Status:     lipgloss.NewStyle().Foreground(ok),
		Error:      lipgloss.NewStyle().Bold(true).Foreground(warn),
		Hint:       lipgloss.NewStyle().Foreground(dim),
		Help:       lipgloss.NewStyle(),
		Box:        lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		FieldLabel: lipgloss.NewStyle().Bold(true),
		Warn:       lipgloss.NewStyle().Foreground(warn),
		Selected:   lipgloss.NewStyle().Background(ld(lipgloss.Color("#E6DCF7"), lipgloss.Color("#3A3150"))),
	}
}

// NoColorStyles returns vmfa's styles for a terminal without colours
// (NO_COLOR, TERM=dumb, or output that is not a terminal): what colour
// marked is marked with attributes that survive.
func NoColorStyles() Styles {
	st := DefaultStyles(true)
	st.Selected = lipgloss.NewStyle().Reverse(true)
	st.Expiring = st.Expiring.Underline(true)
	return st
}
