package resp

import (
	"errors"
	"io"
	"strconv"
)

// Limits that match redis-server's defaults.
const (
	// MaxInlineSize is the longest inline (telnet) request line (PROTO_INLINE_MAX_SIZE).
	MaxInlineSize = 64 * 1024
	// MaxMultibulkLen is the largest argument count a request may announce.
	MaxMultibulkLen = 1024 * 1024 * 1024
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
	rd         io.Reader
	buf        []byte
	// BeforeRead, when set, runs before the reader blocks on the network, so
	// that replies to the requests already served are flushed first.
	BeforeRead func()
	start, end int
	args       [][]byte
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

// shrink drops an oversized buffer once it is empty again.
func (r *Reader) shrink() {
	if r.start == r.end && len(r.buf) > 64*1024 {
		r.buf = make([]byte, 16*1024)
		r.start, r.end = 0, 0
	}
}

// line returns the next CRLF-terminated line (without CRLF) starting at r.start+off,
// reading more input as needed. limit bounds the line length.
func (r *Reader) line(off, limit int, tooBig string) ([]byte, int, error) {
	scanned := 0
	for {
		b := r.buf[r.start+off : r.end]
		for i := scanned; i < len(b); i++ {
			if b[i] == '\n' {
				end := i
				if end > 0 && b[end-1] == '\r' {
					end--
				}
				return b[:end], off + i + 1, nil
			}
		}
		scanned = len(b)
		if len(b) > limit {
			return nil, 0, &ProtocolError{tooBig}
		}
		if err := r.fill(0); err != nil {
			return nil, 0, err
		}
	}
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
	ln, off, err := r.line(0, MaxInlineSize, "too big mbulk count string")
	if err != nil {
		return nil, err
	}
	if len(ln) > 1 && ln[len(ln)-1] == '\r' {
		ln = ln[:len(ln)-1]
	}
	n, perr := strconv.ParseInt(string(ln[1:]), 10, 64)
	if perr != nil || n > MaxMultibulkLen {
		return nil, &ProtocolError{"invalid multibulk length"}
	}
	if n <= 0 {
		r.start += off
		return nil, errEmpty
	}
	// Bulk offsets are recorded first and sliced at the end because the
	// buffer may move while more input is read.
	type span struct{ at, n int }
	spans := make([]span, 0, min(n, 64))
	for i := int64(0); i < n; i++ {
		for r.start+off >= r.end {
			if err := r.fill(0); err != nil {
				return nil, err
			}
		}
		if c := r.buf[r.start+off]; c != '$' {
			return nil, &ProtocolError{"expected '$', got '" + string(c) + "'"}
		}
		ln, next, err := r.line(off, MaxInlineSize, "too big bulk count string")
		if err != nil {
			return nil, err
		}
		bl, perr := strconv.ParseInt(string(ln[1:]), 10, 64)
		if perr != nil || bl < 0 || bl > int64(r.MaxBulkLen) {
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
	ln, off, err := r.line(0, MaxInlineSize, "too big inline request")
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

// SplitArgs splits an inline command line like Redis's sdssplitargs: spaces
// separate arguments, "double quotes" understand \n \r \t \b \a \xHH escapes,
// 'single quotes' only \'. It reports false on unbalanced quotes.
func SplitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, true
		}
		var cur []byte
		inDq, inSq, done := false, false, false
		for !done {
			if inDq {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
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
						cur = append(cur, line[i])
					}
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			} else if inSq {
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			} else {
				if i >= len(line) {
					break
				}
				switch c := line[i]; {
				case isSpace(c):
					done = true
				case c == '"':
					inDq = true
				case c == '\'':
					inSq = true
				default:
					cur = append(cur, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == 0
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
