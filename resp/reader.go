package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// Limits that match redis-server's defaults.
const (
	// MaxInlineSize is the longest inline (telnet) request line (PROTO_INLINE_MAX_SIZE).
	MaxInlineSize = 64 * 1024
	// MaxMultibulkLen is the largest argument count a request may announce (INT_MAX).
	MaxMultibulkLen = math.MaxInt32
	// DefaultMaxBulkLen is proto-max-bulk-len: the largest single argument.
	DefaultMaxBulkLen = 512 * 1024 * 1024
)

// ProtocolError is a malformed request. Redis answers it with
// "-ERR Protocol error: <msg>" and closes the connection.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reader parses client requests (RESP multibulk or inline) from a stream with
// redis-server's limits and error texts. Arguments returned by Next stay valid
// until the following call to Next.
type Reader struct {
	rd  io.Reader
	buf []byte
	// BeforeRead, when set, runs before the reader blocks on the network, so
	// that replies to the requests already served are flushed first.
	BeforeRead func()
	start, end int
	args       [][]byte
	pending    error // a read error met while reading ahead
	noFill     bool  // TryNext: parse only what is buffered
	// MaxBulkLen bounds one bulk argument (proto-max-bulk-len).
	MaxBulkLen int
}

// NewReader returns a Reader over rd.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, buf: make([]byte, 16*1024), MaxBulkLen: DefaultMaxBulkLen}
}

// Buffered reports whether a complete or partial request is already buffered,
// which means the client pipelined more commands after the current one.
func (r *Reader) Buffered() bool { return r.end > r.start }

// fill reads more bytes, growing the buffer up to need bytes of room.
func (r *Reader) fill(need int) error {
	if r.noFill {
		return errWouldBlock
	}
	if r.start > 0 && (r.start == r.end || r.end == len(r.buf) || need > len(r.buf)-r.start) {
		copy(r.buf, r.buf[r.start:r.end])
		r.end -= r.start
		r.start = 0
	}
	if need > len(r.buf) {
		nb := make([]byte, max(need, 2*len(r.buf)))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	} else if r.end == len(r.buf) {
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	if r.pending != nil {
		return r.pending
	}
	if r.BeforeRead != nil {
		r.BeforeRead()
	}
	n, err := r.rd.Read(r.buf[r.end:])
	r.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readAhead reads once into the buffer without flushing replies; a read
// error other than a deadline is kept and returned by Next once the
// buffered requests are consumed.
func (r *Reader) readAhead() error {
	if r.end == len(r.buf) {
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	n, err := r.rd.Read(r.buf[r.end:])
	r.end += n
	return err
}

// shrink drops an oversized buffer once it is empty again.
func (r *Reader) shrink() {
	if r.start == r.end && len(r.buf) > 64*1024 {
		r.buf = make([]byte, 16*1024)
		r.start, r.end = 0, 0
	}
}

// line returns the next line (without its terminator) starting at
// r.start+off, reading more input as needed, and the offset after it.
//
// Inline requests end at '\n' with an optional '\r' before it. Multibulk
// headers (cr) end at the first '\r', and the byte after it is skipped
// unchecked, as redis-server does. A line of more than limit bytes is an
// error whether or not its end has arrived yet, so the outcome does not
// depend on how the input was split into reads.
func (r *Reader) line(off, limit int, cr bool, tooBig string) ([]byte, int, error) {
	sep := byte('\n')
	if cr {
		sep = '\r'
	}
	scanned := 0
	for {
		b := r.buf[r.start+off : r.end]
		if i := bytes.IndexByte(b[scanned:], sep); i >= 0 {
			i += scanned
			end := i
			if !cr && end > 0 && b[end-1] == '\r' {
				end--
			}
			if end > limit {
				return nil, 0, &ProtocolError{tooBig}
			}
			if !cr {
				return b[:end], off + i + 1, nil
			}
			for r.end-(r.start+off) < i+2 {
				if err := r.fill(0); err != nil {
					return nil, 0, err
				}
			}
			return r.buf[r.start+off : r.start+off+i], off + i + 2, nil
		}
		scanned = len(b)
		pending := len(b)
		if !cr && pending > 0 && b[pending-1] == '\r' {
			pending-- // may be the start of the CRLF
		}
		if pending > limit {
			return nil, 0, &ProtocolError{tooBig}
		}
		if err := r.fill(0); err != nil {
			return nil, 0, err
		}
	}
}

// parseLL parses a length like Redis's string2ll: an optional '-', then
// digits without leading zeros (or a lone "0"), within int64.
func parseLL(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' || u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

var errEmpty = errors.New("empty request")

// Next returns the next request's arguments. Empty multibulk requests and
// blank inline lines are skipped, like redis-server does.
func (r *Reader) Next() ([][]byte, error) {
	for {
		r.shrink()
		for r.start == r.end {
			if err := r.fill(0); err != nil {
				return nil, err
			}
		}
		var args [][]byte
		var err error
		if r.buf[r.start] == '*' {
			args, err = r.multibulk()
		} else {
			args, err = r.inline()
		}
		if err == errEmpty {
			continue
		}
		return args, err
	}
}

func (r *Reader) multibulk() ([][]byte, error) {
	ln, off, err := r.line(0, MaxInlineSize, true, "too big mbulk count string")
	if err != nil {
		return nil, err
	}
	n, ok := parseLL(ln[1:])
	if !ok || n > MaxMultibulkLen {
		return nil, &ProtocolError{"invalid multibulk length"}
	}
	if n <= 0 {
		r.start += off
		return nil, errEmpty
	}
	// Bulk offsets are recorded first and sliced at the end because the
	// buffer may move while more input is read.
	type span struct{ at, n int }
	var short [16]span // most commands have few arguments: no allocation
	spans := short[:0]
	for i := int64(0); i < n; i++ {
		for r.start+off >= r.end {
			if err := r.fill(0); err != nil {
				return nil, err
			}
		}
		if c := r.buf[r.start+off]; c != '$' {
			return nil, &ProtocolError{"expected '$', got '" + string([]byte{c}) + "'"}
		}
		ln, next, err := r.line(off, MaxInlineSize, true, "too big bulk count string")
		if err != nil {
			return nil, err
		}
		bl, ok := parseLL(ln[1:])
		if !ok || bl < 0 || bl > int64(r.MaxBulkLen) {
			return nil, &ProtocolError{"invalid bulk length"}
		}
		off = next
		need := off + int(bl) + 2
		for r.end-r.start < need {
			if err := r.fill(need); err != nil {
				return nil, err
			}
		}
		spans = append(spans, span{off, int(bl)})
		off = need
	}
	base := r.buf[r.start:]
	if cap(r.args) < len(spans) {
		r.args = make([][]byte, len(spans))
	}
	args := r.args[:len(spans)]
	for i, s := range spans {
		args[i] = base[s.at : s.at+s.n : s.at+s.n]
	}
	r.start += off
	return args, nil
}

func (r *Reader) inline() ([][]byte, error) {
	ln, off, err := r.line(0, MaxInlineSize, false, "too big inline request")
	if err != nil {
		return nil, err
	}
	args, ok := SplitArgs(ln)
	r.start += off
	if !ok {
		return nil, &ProtocolError{"unbalanced quotes in request"}
	}
	if len(args) == 0 {
		return nil, errEmpty
	}
	return args, nil
}

// SplitArgs splits an inline command line like Redis's sdssplitargs: blanks
// separate arguments, "double quotes" understand \n \r \t \b \a \xHH and
// \<any> escapes, 'single quotes' only \'. A closing quote must be followed
// by a blank or the end. A NUL byte ends the line, as it ends the C string.
// It reports false on unbalanced quotes.
func SplitArgs(line []byte) ([][]byte, bool) {
	if z := bytes.IndexByte(line, 0); z >= 0 {
		line = line[:z]
	}
	n := len(line)
	// at returns the byte at j, or 0 past the end like a C string.
	at := func(j int) byte {
		if j < n {
			return line[j]
		}
		return 0
	}
	var args [][]byte
	i := 0
	for {
		for i < n && isSpace(line[i]) {
			i++
		}
		if i >= n {
			return args, true
		}
		cur := []byte{}
		inDq, inSq := false, false
		for done := false; !done; {
			c := at(i)
			switch {
			case inDq:
				switch {
				case c == '\\' && at(i+1) == 'x' && isHex(at(i+2)) && isHex(at(i+3)):
					cur = append(cur, hexVal(at(i+2))<<4|hexVal(at(i+3)))
					i += 3
				case c == '\\' && at(i+1) != 0:
					i++
					switch e := line[i]; e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, e)
					}
				case c == '"':
					if at(i+1) != 0 && !isSpace(at(i+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case inSq:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if at(i+1) != 0 && !isSpace(at(i+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				// Unlike the blank skipping above, only these end a word.
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDq = true
				case '\'':
					inSq = true
				default:
					cur = append(cur, c)
				}
			}
			if i < n {
				i++
			}
		}
		args = append(args, cur)
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

var errWouldBlock = errors.New("would block")

// TryNext returns the next request if it is already complete in the
// buffer, without reading from the network; ok is false otherwise. The
// returned slice is reused by the next call, like Next's; the arguments
// stay valid while the buffer is not refilled (until the next blocking Next).
func (r *Reader) TryNext() (args [][]byte, ok bool, err error) {
	if r.start == r.end {
		return nil, false, nil
	}
	r.noFill = true
	defer func() { r.noFill = false }()
	for r.start < r.end {
		if r.buf[r.start] == '*' {
			args, err = r.multibulk()
		} else {
			args, err = r.inline()
		}
		switch err {
		case errEmpty:
			continue
		case errWouldBlock:
			return nil, false, nil
		case nil:
			return args, true, nil
		default:
			return nil, false, err
		}
	}
	return nil, false, nil
}
