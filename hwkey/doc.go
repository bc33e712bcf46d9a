// Package hwkey drives FIDO U2F/FIDO2 security keys through libfido2 and
// provides a software security key for testers and tests.
package hwkey
