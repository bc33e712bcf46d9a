package vault

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vmfa/vmfa/internal/textutil"
)

// Rank says how well a query matches an account. Higher is better; the
// zero value is no match.
type Rank int

// Ranks, worst to best.
const (
	// NoMatch: the query is in none of the account's forms.
	NoMatch Rank = iota
	// Fuzzy: the query's characters appear in order (not necessarily
	// together) in the account's displayed form, tags or serial. Only
	// Match with MatchOptions.Fuzzy returns these: a filter as one types.
	Fuzzy
	// Substring: the query is part of the issuer, the name, a tag, the
	// serial, the ID, or of the forms 'issuer:name', 'issuer: name' and
	// 'issuer name' (what the TUI shows).
	Substring
	// Exact: the query is the whole ID, serial, issuer, name, or one of
	// the combined forms above.
	Exact
)

// MatchOptions tune Match.
type MatchOptions struct {
	// Fuzzy also returns accounts whose displayed form contains the
	// query's characters in order (the TUI filter). The CLI leaves it off:
	// a command acting on one account must never guess.
	Fuzzy bool
	// All returns every matching account, best first. Without it only the
	// best rank is kept: an exact match hides the substring matches, which
	// is what makes `vmfa code ACME:alice` work when "ACME: alice2" exists.
	All bool
}

// A Matched is an account that matched, with how.
type Matched struct {
	Index int // index in the slice given to Match
	Rank  Rank
	Score int // within a rank, higher is better (fuzzy: tighter matches)
}

// normQuery folds a query or a form for comparison: lower case, colons
// as spaces, runs of white space as one space, trimmed. So "ACME:alice",
// "ACME: alice" and "acme  alice" are the same string.
func normQuery(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ':' || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// matchForms are the normalized strings of an account a query is compared
// with; the first is the displayed form.
func matchForms(a *Account) []string {
	forms := []string{normQuery(a.Issuer + " " + a.Name)}
	if a.Issuer != "" {
		forms = append(forms, normQuery(a.Issuer))
	}
	if a.Name != "" {
		forms = append(forms, normQuery(a.Name))
	}
	if a.Serial != "" {
		forms = append(forms, normQuery(a.Serial))
	}
	return forms
}

// MatchAccount reports how query matches a, and a score to order matches
// of the same rank. Case, colons and repeated spaces are ignored, so
// "acme alice" and "ACME:alice" both match the account shown as
// "ACME: alice" exactly. An empty query matches nothing.
func MatchAccount(a *Account, query string, fuzzy bool) (Rank, int) {
	return matchNorm(a, normQuery(query), strings.ToLower(strings.TrimSpace(query)), fuzzy)
}

// matchNorm is MatchAccount with the query normalized (q) and as an ID (id).
func matchNorm(a *Account, q, id string, fuzzy bool) (Rank, int) {
	if q == "" {
		return NoMatch, 0
	}
	if a.ID != "" && a.ID == id {
		return Exact, 0
	}
	forms := matchForms(a)
	for _, f := range forms {
		if f == q {
			return Exact, 0
		}
	}
	for _, f := range forms {
		if strings.Contains(f, q) {
			return Substring, -len(f) // shorter forms are closer
		}
	}
	if a.ID != "" && strings.Contains(a.ID, id) {
		return Substring, -len(a.ID)
	}
	for _, t := range a.Tags {
		if strings.Contains(normQuery(t), q) {
			return Substring, -len(t)
		}
	}
	if fuzzy {
		text := forms[0] + " " + normQuery(strings.Join(a.Tags, " ")+" "+a.Serial)
		if s, ok := fuzzyScore(text, q); ok {
			return Fuzzy, s
		}
	}
	return NoMatch, 0
}

// fuzzyScore reports whether the runes of q appear in order in text, and a
// score that prefers consecutive runes and runes at word starts.
func fuzzyScore(text, q string) (int, bool) {
	score, prev, ti := 0, -2, 0
	for _, r := range q {
		if r == ' ' {
			continue
		}
		found := false
		for ti < len(text) {
			c, n := utf8.DecodeRuneInString(text[ti:])
			pos := ti
			ti += n
			if c == r {
				switch {
				case pos == prev+1:
					score += 3
				case pos == 0 || text[pos-1] == ' ':
					score += 2
				default:
					score++
				}
				prev, found = pos+n-1, true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return score, true
}

// Match finds the accounts query names, best first: ties keep the order
// of as (give it in display order). Without opts.All only the best rank
// present is returned, so an exact match wins over substring matches.
// This is the one matcher of vmfa: the CLI's QUERY arguments and the TUI
// filter both use it.
func Match(as []Account, query string, opts MatchOptions) []Matched {
	var out []Matched
	best := NoMatch
	q, id := normQuery(query), strings.ToLower(strings.TrimSpace(query))
	for i := range as {
		r, s := matchNorm(&as[i], q, id, opts.Fuzzy)
		if r == NoMatch {
			continue
		}
		if r > best {
			best = r
		}
		out = append(out, Matched{Index: i, Rank: r, Score: s})
	}
	if !opts.All {
		kept := out[:0]
		for _, m := range out {
			if m.Rank == best {
				kept = append(kept, m)
			}
		}
		out = kept
	}
	sortMatched(out)
	return out
}

func sortMatched(ms []Matched) {
	// Insertion sort: stable, and lists are short.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && better(ms[j], ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func better(a, b Matched) bool {
	if a.Rank != b.Rank {
		return a.Rank > b.Rank
	}
	return a.Score > b.Score
}

// Suggest returns the account whose issuer, name or displayed form is
// closest to query by edit distance, for a "did you mean" after no match.
// ok is false when nothing is close enough to be a likely typo.
func Suggest(as []Account, query string) (a Account, ok bool) {
	q := normQuery(query)
	if q == "" {
		return Account{}, false
	}
	bestD, best := -1, -1
	for i := range as {
		for _, f := range matchForms(&as[i]) {
			d := textutil.EditDistance(q, f)
			if bestD < 0 || d < bestD {
				bestD, best = d, i
			}
		}
	}
	limit := utf8.RuneCountInString(q) / 3
	if limit < 2 {
		limit = 2
	}
	if best < 0 || bestD > limit {
		return Account{}, false
	}
	return as[best].Clone(), true
}
