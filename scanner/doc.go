// Package scanner turns outside input into accounts: QR images, otpauth and
// Google Authenticator migration URIs, and import/export file formats. It
// parses and checks; the vault stores.
//
// URIs: ParseURI reads one otpauth:// Key URI (one account) or one
// otpauth-migration:// Google Authenticator export (all its accounts),
// strictly, with a sentinel error per rule (ErrMissingSecret,
// ErrUnknownType, ErrDigits, …; the vault's own sentinels where the rule is
// the vault's). AccountURI writes the URI of an account. DecodeMigration,
// EncodeMigration and MigrationURIs handle the export payload itself.
//
// Images: DecodeFile, DecodeReader and DecodeImage find every QR code in a
// PNG, JPEG, GIF, BMP or WebP image with gozxing, trying cheap passes first
// and harder ones (inversion, global threshold, rescaling, filters, crops)
// only when they fail, after refusing decompression bombs by their header
// (MaxImageBytes, MaxImagePixels). ScanFiles reads several images and puts
// a multi-image migration export back together, saying which code is
// missing.
//
// Files: Import reads URI lists, Aegis, 2FAS and andOTP plain exports,
// hardware-token CSV (ParseTokenCSV) and RFC 6030 PSKC (ParsePSKC), with
// format detection and all-or-nothing or SkipInvalid semantics; Merge drops
// duplicates. WriteURIs, WriteAegis and MigrationExport write exports.
//
// QR encoding: QRImage, QRPNG, QRHalfBlocks and QRHalfBlocksPlain draw codes
// with boombuler/barcode (a different implementation from the decoder, so
// that tests that go through an image check both).
package scanner
