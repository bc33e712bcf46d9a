package webauthn

import (
	"encoding/json"
	"testing"
)

func TestExtensionsProtectionLevel(t *testing.T) {
	tests := []struct {
		json    string
		level   int
		enforce bool
		bad     bool
	}{
		{`{}`, 0, false, false},
		{`{"credProtect": 2}`, 2, false, false},
		{`{"credProtect": "userVerificationRequired"}`, 3, false, false},
		{`{"credentialProtectionPolicy": "userVerificationOptional", "enforceCredentialProtectionPolicy": true}`, 1, true, false},
		{`{"credentialProtectionPolicy": "userVerificationOptionalWithCredentialIDList", "credProtect": 2}`, 2, false, false},
		{`{"credentialProtectionPolicy": "userVerificationRequired", "credProtect": 1}`, 0, false, true},
		{`{"credentialProtectionPolicy": "sometimes"}`, 0, false, true},
		{`{"credProtect": 0}`, 0, false, true},
		{`{"credProtect": 4}`, 0, false, true},
		{`{"credProtect": true}`, 0, false, true},
		{`{"enforceCredentialProtectionPolicy": true}`, 0, false, false},
	}
	for _, tc := range tests {
		var e Extensions
		err := json.Unmarshal([]byte(tc.json), &e)
		level, enforce := 0, false
		if err == nil {
			level, enforce, err = e.ProtectionLevel()
		}
		if (err != nil) != tc.bad || level != tc.level || enforce != tc.enforce {
			t.Errorf("%s: level %d enforce %v err %v; want %d %v bad=%v", tc.json, level, enforce, err, tc.level, tc.enforce, tc.bad)
		}
	}
}
