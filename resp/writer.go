package resp

import (
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/redcon"
)

// Writer encodes replies into a buffer in RESP2 or RESP3, choosing the wire
// type that redis-server would send for the connection's protocol.
type Writer struct {
	buf []byte
	// Proto is 2 or 3 (HELLO).
	Proto int
}

// NewWriter returns a Writer for protocol proto.
func NewWriter(proto int) *Writer { return &Writer{Proto: proto} }

// Bytes returns the encoded replies.
func (w *Writer) Bytes() []byte { return w.buf }

// Reset empties the buffer.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Len is the number of buffered bytes.
func (w *Writer) Len() int { return len(w.buf) }

// Truncate drops everything written after n bytes.
func (w *Writer) Truncate(n int) { w.buf = w.buf[:n] }

// Raw appends already encoded bytes.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// OK writes +OK.
func (w *Writer) OK() { w.buf = redcon.AppendOK(w.buf) }

// Status writes a simple string.
func (w *Writer) Status(s string) { w.buf = redcon.AppendString(w.buf, s) }

// Error writes an error reply; msg must already carry its code (ERR, WRONGTYPE…).
func (w *Writer) Error(msg string) {
	msg = strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
	w.buf = append(append(append(w.buf, '-'), msg...), '\r', '\n')
}

// Int writes an integer.
func (w *Writer) Int(n int64) { w.buf = redcon.AppendInt(w.buf, n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) { w.buf = redcon.AppendBulk(w.buf, b) }

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) { w.buf = redcon.AppendBulkString(w.buf, s) }

// BulkInt writes an integer as a bulk string.
func (w *Writer) BulkInt(n int64) { w.buf = redcon.AppendBulkInt(w.buf, n) }

// Verbatim writes a RESP3 verbatim string (txt), or a bulk string in RESP2.
func (w *Writer) Verbatim(s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.buf = append(strconv.AppendInt(append(w.buf, '='), int64(len(s)+4), 10), "\r\ntxt:"...)
	w.buf = append(append(w.buf, s...), '\r', '\n')
}

// Null writes the null bulk string ($-1) or RESP3 null (_).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes the null array (*-1) or RESP3 null (_).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// Array writes an array header of n elements.
func (w *Writer) Array(n int) { w.buf = redcon.AppendArray(w.buf, n) }

// Map writes a map header of n key/value pairs (RESP3 %), or an array of 2n in RESP2.
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.buf = append(strconv.AppendInt(append(w.buf, '%'), int64(n), 10), '\r', '\n')
		return
	}
	w.Array(2 * n)
}

// Set writes a set header (RESP3 ~), or an array in RESP2.
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.buf = append(strconv.AppendInt(append(w.buf, '~'), int64(n), 10), '\r', '\n')
		return
	}
	w.Array(n)
}

// Push writes a push header (RESP3 >), or an array in RESP2.
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.buf = append(strconv.AppendInt(append(w.buf, '>'), int64(n), 10), '\r', '\n')
		return
	}
	w.Array(n)
}

// Bool writes a RESP3 boolean, or the integer 1/0 in RESP2.
func (w *Writer) Bool(b bool) {
	if w.Proto >= 3 {
		if b {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Double writes a RESP3 double, or a bulk string in RESP2, formatted like
// Redis's addReplyDouble (%.17g, inf, -inf).
func (w *Writer) Double(f float64) {
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		switch {
		case math.IsInf(f, 1):
			w.buf = append(w.buf, "inf"...)
		case math.IsInf(f, -1):
			w.buf = append(w.buf, "-inf"...)
		case math.IsNaN(f):
			w.buf = append(w.buf, "nan"...)
		default:
			w.buf = AppendDouble(w.buf, f)
		}
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(FormatDouble(f))
}

// FormatDouble formats f the way Redis replies with scores (%.17g).
func FormatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return string(AppendDouble(nil, f))
}

// AppendDouble appends f formatted as C's %.17g.
func AppendDouble(b []byte, f float64) []byte {
	if f == 0 && math.Signbit(f) {
		return append(b, "-0"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	// %.17g strips trailing zeros of the fraction and keeps exponents with two digits.
	mant, exp, hasExp := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	b = append(b, mant...)
	if hasExp {
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		for len(digits) < 2 {
			digits = "0" + digits
		}
		b = append(append(append(b, 'e'), sign), digits...)
	}
	return b
}
