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
	if d.ScanFile == nil {
		d.ScanFile = scanFile
	}
	if d.QRHalfBlocks == nil {
		d.QRHalfBlocks = scanner.QRHalfBlocks
	}
	if d.AccountURI == nil {
		d.AccountURI = scanner.AccountURI
	}
	return d
}

// scanFile decodes every QR code in an image and parses each payload.
func scanFile(path string) ([]vault.Account, error) {
	payloads, err := scanner.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	var out []vault.Account
	for _, p := range payloads {
		accts, err := scanner.ParseURI(p)
		if err != nil {
			return nil, err
		}
		out = append(out, accts...)
	}
	return out, nil
}
