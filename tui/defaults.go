package tui

import (
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// withDefaults fills unset decoders from package scanner.
func (d Decoders) withDefaults() Decoders {
	if d.ParseURI == nil {
		d.ParseURI = scanner.ParseURI
	}
	if d.ScanFiles == nil {
		d.ScanFiles = scanFiles
	}
	if d.QRText == nil {
		d.QRText = scanner.QRText
	}
	if d.ImportFile == nil {
		d.ImportFile = importFile
	}
	if d.AccountURI == nil {
		d.AccountURI = scanner.AccountURI
	}
	return d
}

// scanFiles decodes every QR code in the images with scanner.ScanFiles.
func scanFiles(paths ...string) ([]vault.Account, error) {
	found, err := scanner.ScanFiles(paths...)
	out := make([]vault.Account, len(found))
	for i, f := range found {
		out[i] = f.Account
	}
	return out, err
}
