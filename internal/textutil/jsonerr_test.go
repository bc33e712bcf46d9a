package textutil_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
)

func TestJSONError(t *testing.T) {
	type inner struct {
		N    int       `json:"n"`
		U    uint32    `json:"u"`
		T    time.Time `json:"t"`
		List []string  `json:"list"`
		B    []byte    `json:"b"`
	}
	type doc struct {
		Users map[string]*inner `json:"users"`
		Ok    bool              `json:"ok"`
	}
	tests := []struct{ in, want string }{
		{`{"users": "x"}`, `field "users" must be an object, not a string`},
		{`{"users": {"a": {"n": "1"}}}`, `field "users.n" must be a whole number, not a string`},
		{`{"users": {"a": {"u": -1}}}`, `field "users.u" must be a whole number, not negative, not the number -1`},
		{`{"users": {"a": {"list": {}}}}`, `field "users.list" must be an array, not an object`},
		{`{"users": {"a": {"b": 5}}}`, `field "users.b" must be a base64 string, not a number`},
		{`{"ok": "yes"}`, `field "ok" must be true or false, not a string`},
		{`[1]`, `the document must be an object, not an array`},
		{`{"users": `, `the json ends too early (is it cut short?)`},
		{`{"users": }`, `bad json at line 1, column 11`},
		{"{\n  \"users\": }", `bad json at line 2, column 12`},
		{`{"users": {"a": {"t": "noon"}}}`, `a value is malformed`},
	}
	for _, tt := range tests {
		var d doc
		err := json.Unmarshal([]byte(tt.in), &d)
		if err == nil {
			t.Fatalf("%s: no error", tt.in)
		}
		got := textutil.JSONError(err, []byte(tt.in))
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "Go ") || strings.Contains(got, "webauthn") || strings.Contains(got, "inner") {
			t.Errorf("%s: %q names Go internals", tt.in, got)
		}
	}
}
