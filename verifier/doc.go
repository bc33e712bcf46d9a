// Package verifier is the relying-party side of MFA: TOTP/HOTP, hardware
// OATH token and security-key verification, the one-device policy the
// consoles enforce, throttling, replay protection and an audit log.
package verifier
