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
// Files: Import reads every format of the import format table (Formats;
// formats.go): URI lists, the exports and backups of Aegis, 2FAS, andOTP,
// Bitwarden, KeePassXC, Proton Authenticator, FreeOTP and FreeOTP+,
// Stratum, Steam, Duo, Battle.net, Authy, WinAuth and Ente Auth,
// hardware-token CSV (ParseTokenCSV) and RFC 6030 PSKC (ParsePSKC).
// DetectFormat asks every row of the table and accepts exactly one answer;
// files it recognises but cannot read (encrypted without a password, app
// databases) get an error naming them. Imports are all-or-nothing or
// SkipInvalid; unsupported records (PSKC keys of other algorithms) are
// skipped and listed, short server-issued secrets warned about; Merge drops
// duplicates. The plain readers are also exported (ParseStratum,
// ParseBitwarden, ParseEnte, ParseFreeOTPPlus, ParseFreeOTPToken) for the
// decrypted payloads of encrypted backups. WriteURIs, WriteAegis and
// MigrationExport write exports.
//
// QR encoding: QRImage, QRPNG, QRHalfBlocks and QRHalfBlocksPlain draw codes
// with boombuler/barcode (a different implementation from the decoder, so
// that tests that go through an image check both).
package scanner
