package engine

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// globCase is one pattern/string pair and whether redis-server 7.0
// (stringmatchlen, amd64) matches it. Case-sensitive cases were checked
// against a real server with SET + KEYS.
type globCase struct {
	pattern, s string
	nocase     bool
	want       bool
}

var globCases = []globCase{
	// Literals.
	{"hello", "hello", false, true},
	{"hello", "hell", false, false},
	{"hello", "helloo", false, false},
	{"", "", false, true},
	{"", "a", false, false},
	{"a", "", false, false},
	// * and ?.
	{"*", "anything", false, true},
	{"*", "", false, false}, // KEYS/SCAN special-case "*" before calling the matcher
	{"a*", "a", false, true},
	{"a**", "a", false, true},
	{"*a*", "banana", false, true},
	{"a*b", "ab", false, true},
	{"a*b", "axxb", false, true},
	{"a*b", "axxc", false, false},
	{"a*b*c", "abxbxc", false, true},
	{"h?llo", "hello", false, true},
	{"h?llo", "hllo", false, false},
	{"h*llo", "hllo", false, true},
	{"h*llo", "heeeello", false, true},
	{"?", "", false, false},
	{"??", "a", false, false},
	{"*?", "a", false, true},
	{"?*", "a", false, true},
	{"a*?b", "ab", false, false},
	{"a*?b", "axb", false, true},
	// Classes.
	{"h[ae]llo", "hello", false, true},
	{"h[ae]llo", "hallo", false, true},
	{"h[ae]llo", "hillo", false, false},
	{"h[^e]llo", "hallo", false, true},
	{"h[^e]llo", "hello", false, false},
	{"h[a-b]llo", "hbllo", false, true},
	{"h[a-b]llo", "hcllo", false, false},
	{"[a-z]", "m", false, true},
	{"[a-z]", "M", false, false},
	{"[z-a]", "m", false, true}, // reversed ranges are swapped
	{"[!a]", "b", false, false}, // ! is not negation, only ^ is
	{"[!a]", "!", false, true},
	{"[a-]", "_", false, true}, // range a..']' (swapped), then unterminated
	{"[a-]", "]", false, true},
	{"[a-]", "-", false, false},
	{"[]", "]", false, false},
	{"[]a]", "a", false, false},
	{"[]a]", "]a]", false, false},
	{"[\\]]", "]", false, true},
	{"[a\\-z]", "-", false, true},
	{"[a\\-z]", "m", false, false},
	// Unterminated classes end at the end of the pattern.
	{"[abc", "a", false, true},
	{"[abc", "ab", false, false},
	{"[^", "x", false, true},
	{"[", "[", false, false},
	{"a[", "a", false, false},
	// Escapes.
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\?", "?", false, true},
	{"\\[a]", "[a]", false, true},
	{"a\\", "a\\", false, true},
	{"\\", "\\", false, true},
	{"\\\\", "\\", false, true},
	// High bytes: C chars are signed on amd64, so 0x80-0xff sort below 0.
	{"[a-\xff]", "b", false, false},
	{"[a-\xff]", "\xfe", false, false},
	{"[a-\xff]", "\x00", false, true},
	{"[\xe0-\xef]", "\xe5", false, true},
	{"[^\xff]", "a", false, true},
	{"\xc9", "\xe9", false, false},
	// nocase (CONFIG GET, ...).
	{"HELLO", "hello", true, true},
	{"h?LLO", "HeLlo", true, true},
	{"[a-z]", "Q", true, true},
	{"[A-Z]", "q", true, true},
	{"[ABC]", "b", true, true},
	{"[^ABC]", "b", true, false},
	{"[Z-a]", "_", false, true},
	{"[Z-a]", "_", true, false}, // lowered after the swap: 'z'..'a' is empty
	{"\\A", "a", true, true},
	{"\xc9", "\xe9", true, false}, // only ASCII folds
}

// TestMatch checks Match against stringmatchlen's answers.
func TestMatch(t *testing.T) {
	for _, tc := range globCases {
		if got := Match([]byte(tc.pattern), []byte(tc.s), tc.nocase); got != tc.want {
			t.Errorf("Match(%q, %q, nocase=%v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
		}
	}
}

// TestMatchNesting checks Redis's recursion limit: more than 1000 nested
// stars never match, however the string looks.
func TestMatchNesting(t *testing.T) {
	if !Match([]byte(strings.Repeat("*a", 1000)), []byte(strings.Repeat("a", 1000)), false) {
		t.Error("1000 nested stars should still match")
	}
	if Match([]byte(strings.Repeat("*a", 1001)), []byte(strings.Repeat("a", 1001)), false) {
		t.Error("1001 nested stars matched; redis-server stops at a nesting of 1000")
	}
}

// TestMatchPathological checks that patterns with many stars that cannot
// match fail fast instead of backtracking exponentially.
func TestMatchPathological(t *testing.T) {
	start := time.Now()
	for _, tc := range []struct{ p, s string }{
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", strings.Repeat("a", 100)},
		{strings.Repeat("*a", 50) + "b", strings.Repeat("a", 1000)},
		{strings.Repeat("?*", 40) + "x", strings.Repeat("ab", 500)},
		{strings.Repeat("*[a-z]", 30) + "!", strings.Repeat("q", 2000)},
	} {
		if Match([]byte(tc.p), []byte(tc.s), false) {
			t.Errorf("Match(%.20q...) = true", tc.p)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("pathological patterns took %v", d)
	}
}

// globQuote escapes every byte of s so that the pattern matches only s.
func globQuote(s []byte) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, c := range s {
		out = append(out, '\\', c)
	}
	return out
}

// FuzzMatch checks that Match never panics, stays fast, matches literal
// patterns exactly, and matches any string against its fully escaped self.
func FuzzMatch(f *testing.F) {
	for _, tc := range globCases {
		f.Add([]byte(tc.pattern), []byte(tc.s), tc.nocase)
	}
	f.Add([]byte("a*a*a*a*a*a*a*b"), []byte(strings.Repeat("a", 64)), false)
	f.Add([]byte("*[^"), []byte("xyz"), true)
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		start := time.Now()
		got := Match(pattern, s, nocase)
		if d := time.Since(start); d > time.Second && len(pattern) < 256 && len(s) < 4096 {
			t.Fatalf("Match(%q, %q) took %v", pattern, s, d)
		}
		if bytes.IndexAny(pattern, "*?[\\") < 0 && !nocase && got != bytes.Equal(pattern, s) {
			t.Fatalf("literal Match(%q, %q) = %v", pattern, s, got)
		}
		if len(s) > 0 && !Match(globQuote(s), s, nocase) {
			t.Fatalf("escaped %q does not match itself", s)
		}
	})
}
