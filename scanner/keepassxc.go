package scanner

import (
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// KeePassXC's CSV export: "Group","Title","Username","Password","URL",
// "Notes","TOTP","Icon","Last Modified","Created". The TOTP column holds the
// entry's otpauth:// URI (KeePassXC writes encoder=steam for Steam entries)
// or, from older databases, a bare Base32 seed. Entries without one are
// passed over. The group (without the root group's name) becomes a tag.

func importKeePassXC(data []byte) ([]entry, error) {
	return csvRecords(data, "keepassxc csv", "totp", func(get func(string) string) (vault.Account, bool, error) {
		v := get("totp")
		if strings.TrimSpace(v) == "" {
			return vault.Account{}, false, nil
		}
		a, err := totpValue(v, get("title"), get("username"), time.Now())
		if err != nil {
			return a, true, err
		}
		a.Note = oneLine(get("notes"))
		g := get("group")
		if _, rest, ok := strings.Cut(g, "/"); ok {
			g = rest
		} else if g == "Root" || g == "Passwords" {
			g = ""
		}
		if g = strings.TrimSpace(g); g != "" {
			a.Tags = []string{g}
		}
		return a, true, a.Validate()
	})
}
