package scanner

import (
	"fmt"
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
	entries, err := csvRecords(data, "keepassxc csv", "totp", func(get func(string) string) (vault.Account, bool, error) {
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
	if err != nil && strings.Contains(err.Error(), `has no "totp" column`) {
		return nil, fmt.Errorf("%w (KeePassXC writes it from version 2.6 on: export again with a newer KeePassXC)", err)
	}
	return entries, err
}

// Other password managers' CSV exports with a TOTP column: LastPass
// (url,username,password,totp,extra,name,grouping,fav), 1Password
// (Title,Url,Username,Password,OTPAuth,…), Proton Pass,
// NordPass… The TOTP column ("totp", "otp" or "otpauth") holds an
// otpauth:// URI or a bare secret; the account is named from the
// name/title/url and username/login/email columns.
func importTOTPCSV(data []byte) ([]entry, error) {
	col := "totp"
	if p := newProbe(data); !p.csvHas("totp") {
		col = "otpauth"
		if p.csvHas("otp") {
			col = "otp"
		}
	}
	return csvRecords(data, "csv", col, func(get func(string) string) (vault.Account, bool, error) {
		v := get(col)
		if strings.TrimSpace(v) == "" {
			return vault.Account{}, false, nil
		}
		name := firstNonEmpty(get("name"), get("title"), get("url"))
		user := firstNonEmpty(get("username"), get("login"), get("email"), get("user"))
		a, err := totpValue(v, name, user, time.Now())
		if err != nil {
			return a, true, err
		}
		a.Note = oneLine(firstNonEmpty(get("note"), get("notes"), get("extra")))
		return a, true, a.Validate()
	})
}
