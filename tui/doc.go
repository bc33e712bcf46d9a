// Package tui is vmfa's terminal user interface, built on Bubble Tea. It
// holds screens only: no crypto, no storage format and no parsing.
package tui
