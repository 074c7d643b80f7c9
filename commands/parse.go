package commands

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"redisk/engine"
)

// parseInt parses an integer argument like Redis's string2ll.
func parseInt(b []byte) (int64, bool) {
	n, err := engine.ParseInt(b)
	return n, err == nil
}

// parseFloat parses a float argument like Redis's strtod-based getDoubleFromObject:
// inf and -inf are accepted, NaN, spaces and trailing bytes are not.
func parseFloat(b []byte) (float64, bool) {
	s := string(b)
	if s == "" || strings.ContainsAny(s[:1], " \t\r\n\v\f") {
		return 0, false
	}
	return strtod(s)
}

// strtod reads a whole string like C's strtod (decimal, exponent, hex,
// inf/infinity) and rejects NaN, out-of-range values and leftovers.
func strtod(s string) (float64, bool) {
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	low := strings.ToLower(body)
	if strings.Contains(low, "nan") || strings.Contains(s, "_") || low == "" || low[0] == '+' || low[0] == '-' {
		return 0, false
	}
	if strings.HasPrefix(low, "0x") {
		// Go wants a p exponent in hex floats; C does not.
		f, _, err := new(big.Float).Parse(s, 0)
		if err != nil {
			return 0, false
		}
		v, acc := f.Float64()
		if math.IsInf(v, 0) && acc != big.Exact {
			return 0, false
		}
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		ne, ok := err.(*strconv.NumError)
		// strtod saturates to ±HUGE_VAL with ERANGE, which Redis rejects; it
		// returns tiny values as 0 or subnormals, which Redis accepts.
		if !ok || ne.Err != strconv.ErrRange || math.IsInf(f, 0) {
			return 0, false
		}
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseCursor parses a SCAN cursor like Redis's strtoul: no leading space,
// an optional sign (a negative value wraps around), digits, nothing after;
// "" is 0.
func parseCursor(b []byte) (uint64, bool) {
	s := string(b)
	if s != "" && strings.ContainsAny(s[:1], " \t\r\n\v\f") {
		return 0, false
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" {
		return 0, len(b) == 0
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		u = -u
	}
	return u, true
}

// isArg compares an option argument case-insensitively.
func isArg(b []byte, opt string) bool { return strings.EqualFold(string(b), opt) }

// expireArgs are SET/GETEX's EX|PX|EXAT|PXAT|KEEPTTL|PERSIST options.
type expireArgs struct {
	set     bool // an expiry option was given
	unit    string
	at      int64 // absolute unix ms
	keepTTL bool
	persist bool
}

// parseExpireOpt parses the expiry option at args[i] (EX/PX/EXAT/PXAT with
// its value) and returns how many arguments it used; 0 when args[i] is not
// one. errText is the reply for a bad option.
func parseExpireOpt(args [][]byte, i int, cmd string, now int64, e *expireArgs) (int, string) {
	var unitMs int64
	var abs bool
	opt := strings.ToLower(string(args[i]))
	switch opt {
	case "ex":
		unitMs = 1000
	case "px":
		unitMs = 1
	case "exat":
		unitMs, abs = 1000, true
	case "pxat":
		unitMs, abs = 1, true
	default:
		return 0, ""
	}
	// Repeating the same option is allowed (the last wins), mixing is not.
	if (e.set && e.unit != opt) || e.keepTTL || e.persist || i+1 >= len(args) {
		return 0, errSyntax
	}
	n, ok := parseInt(args[i+1])
	if !ok {
		return 0, errNotInteger
	}
	if n <= 0 || n > math.MaxInt64/unitMs {
		return 0, errInvalidExpire(cmd)
	}
	ms := n * unitMs
	if !abs {
		if ms > math.MaxInt64-now {
			return 0, errInvalidExpire(cmd)
		}
		ms += now
	}
	e.set, e.at, e.unit = true, ms, opt
	return 2, ""
}

// matchString matches s against a Redis glob pattern.
func matchString(pattern, s string) bool {
	return engine.Match([]byte(pattern), []byte(s), false)
}
