package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// client is a minimal RESP2 client: commands are appended to a buffered
// writer and replies read in order, so a pipeline is "send k, flush, read k".
// It allocates nothing per command on the load and benchmark paths, which
// matters when the loader shares two cores with the server it measures.
type client struct {
	nc  net.Conn
	r   *bufio.Reader
	w   *bufio.Writer
	num []byte
}

// errReply is an error reply from the server (-ERR ...).
type errReply string

func (e errReply) Error() string { return string(e) }

func dial(addr string) (*client, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriterSize(nc, 64<<10)}, nil
}

func (c *client) Close() error { return c.nc.Close() }

// begin starts a command of n arguments (the name counted).
func (c *client) begin(n int) {
	c.w.WriteByte('*')
	c.num = strconv.AppendInt(c.num[:0], int64(n), 10)
	c.w.Write(c.num)
	c.w.WriteString("\r\n")
}

func (c *client) arg(b []byte) {
	c.w.WriteByte('$')
	c.num = strconv.AppendInt(c.num[:0], int64(len(b)), 10)
	c.w.Write(c.num)
	c.w.WriteString("\r\n")
	c.w.Write(b)
	c.w.WriteString("\r\n")
}

func (c *client) argString(s string) {
	c.w.WriteByte('$')
	c.num = strconv.AppendInt(c.num[:0], int64(len(s)), 10)
	c.w.Write(c.num)
	c.w.WriteString("\r\n")
	c.w.WriteString(s)
	c.w.WriteString("\r\n")
}

// send appends one command made of strings.
func (c *client) send(args ...string) {
	c.begin(len(args))
	for _, a := range args {
		c.argString(a)
	}
}

func (c *client) flush() error { return c.w.Flush() }

// do sends one command and returns its reply (see read).
func (c *client) do(args ...string) (any, error) {
	c.send(args...)
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.read()
}

// doInt runs a command whose reply is an integer.
func (c *client) doInt(args ...string) (int64, error) {
	v, err := c.do(args...)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%s: expected an integer reply, got %T %v", args[0], v, v)
	}
	return n, nil
}

// line reads one CRLF-terminated header line without its CRLF.
func (c *client) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return nil, fmt.Errorf("protocol error: bad line %q", l)
	}
	return l[:len(l)-2], nil
}

func parseLen(b []byte) (int, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("protocol error: bad length %q", b)
	}
	return n, nil
}

// read returns the next reply: string for simple and bulk strings, int64,
// []any, nil for null replies; an error reply comes back as errReply.
func (c *client) read() (any, error) {
	l, err := c.line()
	if err != nil {
		return nil, err
	}
	switch l[0] {
	case '+':
		return string(l[1:]), nil
	case '-':
		return nil, errReply(l[1:])
	case ':':
		n, err := strconv.ParseInt(string(l[1:]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("protocol error: bad integer %q", l)
		}
		return n, nil
	case '$':
		n, err := parseLen(l[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, err
		}
		return string(b[:n]), nil
	case '*':
		n, err := parseLen(l[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			v, err := c.read()
			var e errReply
			if err != nil && !errors.As(err, &e) {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("protocol error: unexpected reply %q", l)
}

// skip reads and discards the next reply; an error reply comes back as
// errReply. It returns the reply's type byte, so callers can check that a
// SET got '+' and a push got ':'.
func (c *client) skip() (byte, error) {
	l, err := c.line()
	if err != nil {
		return 0, err
	}
	t := l[0]
	switch t {
	case '+', ':':
		return t, nil
	case '-':
		return t, errReply(l[1:])
	case '$':
		n, err := parseLen(l[1:])
		if err != nil {
			return 0, err
		}
		if n >= 0 {
			if _, err := c.r.Discard(n + 2); err != nil {
				return 0, err
			}
		}
		return t, nil
	case '*':
		n, err := parseLen(l[1:])
		if err != nil {
			return 0, err
		}
		for i := 0; i < n; i++ {
			if _, err := c.skip(); err != nil {
				return 0, err
			}
		}
		return t, nil
	}
	return 0, fmt.Errorf("protocol error: unexpected reply %q", l)
}
