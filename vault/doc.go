// Package vault holds vmfa's accounts: the account model, the one-time
// password maths shared by the device side and the verifier, and the
// encrypted vault file whose data key lives in the OS keyring (or is derived
// from a passphrase).
package vault
