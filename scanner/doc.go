// Package scanner turns outside input into accounts: QR images, otpauth and
// Google Authenticator migration URIs, and import/export file formats.
package scanner
