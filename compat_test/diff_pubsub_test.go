package compat_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pubsubCases run on a subscriber A and a publisher B (see connCase). Over
// RESP2 a subscribed connection only accepts (P|S)(UN)SUBSCRIBE, PING,
// QUIT and RESET; over RESP3 it takes any command and messages arrive as
// push frames, so most cases check both modes with the same steps.
var pubsubCases = []connCase{
	cc("subscribe-publish", "A SUBSCRIBE a b", "A <", "B PUBLISH a hello", "A <", "B PUBLISH b world", "A <",
		"B PUBLISH nosub x", "A <none"),
	cc("subscribe-dup", "A SUBSCRIBE a a", "A <", "B PUBLISH a x", "A <", "A <none"),
	cc("subscribe-arity", "A SUBSCRIBE", "A PSUBSCRIBE", "A SSUBSCRIBE", "A PUBLISH a", "A PUBLISH", "A SPUBLISH a", "A PING"),
	cc("publish-binary", "A SUBSCRIBE \"c\\x00h\"", `B PUBLISH "c\x00h" "a\r\nb\x00"`, "A <", `B PUBLISH "" ""`, "A <none"),
	cc("psubscribe", "A PSUBSCRIBE h?llo news.*", "A <", "B PUBLISH hello x", "A <", "B PUBLISH news.tech y", "A <",
		"B PUBLISH hllo z", "A <none"),
	cc("psubscribe-classes", "A PSUBSCRIBE h[ae]llo x\\*y", "A <", "B PUBLISH hallo 1", "A <", "B PUBLISH hillo 2",
		"B PUBLISH x*y 3", "A <", "B PUBLISH xzy 4", "A <none"),
	cc("subscribe-and-psubscribe-match", "A SUBSCRIBE news", "A PSUBSCRIBE n*", "B PUBLISH news hi", "A <", "A <", "A <none"),
	cc("two-subscribers", "A SUBSCRIBE ch", "C SUBSCRIBE ch", "C PSUBSCRIBE c*", "B PUBLISH ch m", "A <", "C <", "C <"),
	cc("unsubscribe", "A SUBSCRIBE a b", "A <", "A UNSUBSCRIBE a", "B PUBLISH a x", "A <none", "A UNSUBSCRIBE",
		"B PUBLISH b x", "A <none", "2 A GET k", "A PING"),
	cc("unsubscribe-never-subscribed", "A UNSUBSCRIBE x", "A PUNSUBSCRIBE p*", "A SUNSUBSCRIBE s", "A GET k"),
	cc("unsubscribe-no-args-no-subs", "A UNSUBSCRIBE", "A PUNSUBSCRIBE", "A SUNSUBSCRIBE", "A GET k"),
	cc("unsubscribe-no-args-one-sub", "A SUBSCRIBE a", "A UNSUBSCRIBE", "A PUNSUBSCRIBE", "A PING"),
	cc("unsubscribe-other-while-subscribed", "A SUBSCRIBE a", "A UNSUBSCRIBE b", "A PUNSUBSCRIBE", "A PSUBSCRIBE p*",
		"A UNSUBSCRIBE a", "A PUNSUBSCRIBE p*", "A PING"),
	cc("punsubscribe", "A PSUBSCRIBE a* b*", "A <", "A PUNSUBSCRIBE a*", "B PUBLISH ax 1", "A <none", "B PUBLISH bx 2", "A <",
		"A PUNSUBSCRIBE", "A PING"),
	cc("subscribed-mode-resp2", "A SUBSCRIBE a", "A GET k", "A SET k v", "A PING", "A PING hi", "A ECHO x", "A MULTI",
		"A PUBLISH a x", "A SUBSCRIBE b", "A PSUBSCRIBE c*", "A UNSUBSCRIBE a", "A UNSUBSCRIBE b", "A PING", "A PUNSUBSCRIBE", "A PING", "A GET k"),
	cc("subscribed-reset", "A SUBSCRIBE a", "A RESET", "B PUBLISH a x", "A <none", "A PING"),
	cc("resp3-own-publish", "3 A SUBSCRIBE a", "3 A PUBLISH a self", "3 A <", "3 A GET k"),
	cc("resp3-push-between-replies", "3 A SUBSCRIBE a", "3 B PUBLISH a x", "3 A SET k v", "3 A <", "3 A GET k"),
	cc("pubsub-numsub", "A SUBSCRIBE a b", "A <", "C SUBSCRIBE a", "B PUBSUB NUMSUB a b c", "B PUBSUB NUMSUB", "B PUBSUB NUMSUB a a"),
	cc("pubsub-numpat", "B PUBSUB NUMPAT", "A PSUBSCRIBE x* y*", "A <", "C PSUBSCRIBE x*", "B PUBSUB NUMPAT", "B PUBSUB NUMPAT x"),
	cc("pubsub-channels", "B PUBSUB CHANNELS", "A SUBSCRIBE news.a news.b other", "A <", "A <", "A PSUBSCRIBE news.*",
		"B ~PUBSUB CHANNELS", "B ~PUBSUB CHANNELS news.*", "B PUBSUB CHANNELS nomatch*", "B PUBSUB CHANNELS a b"),
	cc("pubsub-errors", "B PUBSUB", "B PUBSUB FOO", "B PUBSUB CHANNELS a b", "B PUBSUB SHARDCHANNELS a b"),
	cc("pubsub-after-disconnect-count", "A SUBSCRIBE a", "B PUBSUB NUMSUB a", "A UNSUBSCRIBE a", "B PUBSUB NUMSUB a"),
	cc("ssubscribe", "A SSUBSCRIBE s1 s2", "A <", "B SPUBLISH s1 hi", "A <", "B PUBLISH s1 not-shard", "A <none",
		"B SPUBLISH nosub x", "B ~PUBSUB SHARDCHANNELS", "B PUBSUB SHARDNUMSUB s1 s2 s3", "B PUBSUB NUMSUB s1",
		"A SUNSUBSCRIBE s1", "B SPUBLISH s1 x", "A <none", "A SUNSUBSCRIBE", "A PING"),
	cc("ssubscribe-cross-slot", "A SSUBSCRIBE a b", "A <", "A SSUBSCRIBE {t}a {t}b", "A <", "A PING"),
	cc("ssubscribe-and-subscribe", "A SSUBSCRIBE s", "A SUBSCRIBE s", "B SPUBLISH s 1", "A <", "B PUBLISH s 2", "A <",
		"A UNSUBSCRIBE", "A SUNSUBSCRIBE", "A PING"),
	// Several matching patterns deliver in Redis's dict order: compared
	// unordered with <2~.
	cc("two-patterns-one-message", "A PSUBSCRIBE a* *z", "A <", "B PUBLISH abz 1", "A <2~", "B PUBLISH az 2", "A <2~"),
	cc("pattern-message-many", "A PSUBSCRIBE *", "B PUBLISH a 1", "A <", "B PUBLISH b 2", "A <", "B PUBLISH c 3", "A <"),
	cc("publish-count", "A SUBSCRIBE ch", "A PSUBSCRIBE c*", "A PSUBSCRIBE *h", "C SUBSCRIBE ch", "B PUBLISH ch x",
		"A <", "A <2~", "C <"),
	cc("subscribe-in-multi", "A MULTI", "A SUBSCRIBE a", "A EXEC", "B PUBLISH a x", "A <"),
	cc("subscribe-lowercase", "A subscribe MixedCase", "B PUBLISH mixedcase x", "B PUBLISH MixedCase y", "A <"),
}

// TestDiffPubSub compares pub/sub with redis-server.
func TestDiffPubSub(t *testing.T) { runConnDiff(t, pubsubCases) }

// TestPubSubSlowSubscriber checks redisk's pubsub output-buffer limit
// (client-output-buffer-limit pubsub 32mb 8mb 60, as in Redis): a
// subscriber that never reads is disconnected once 32 MB are queued for it,
// the publisher is never held up by it, and the server keeps answering.
func TestPubSubSlowSubscriber(t *testing.T) {
	s := StartRedisk(t)
	sub := Dial(t, s.Addr)
	if tc, ok := sub.c.(*net.TCPConn); ok {
		tc.SetReadBuffer(64 << 10) // keep the kernel from absorbing much
	}
	if r := sub.Do("SUBSCRIBE", "firehose"); !strings.HasPrefix(string(r), "*3\r\n$9\r\nsubscribe\r\n") {
		t.Fatalf("SUBSCRIBE: %q", r)
	}
	pub := Dial(t, s.Addr)
	payload := strings.Repeat("x", 64<<10)
	const total = 60 << 20
	start := time.Now()
	delivered, sent := 0, 0
	var slowest time.Duration
	for sent < total {
		t0 := time.Now()
		r, err := pub.ReadReplyAfter(EncodeCommand("PUBLISH", "firehose", payload), 5*time.Second)
		if err != nil {
			t.Fatalf("PUBLISH after %d MB: %v (publisher stalled?)", sent>>20, err)
		}
		slowest = max(slowest, time.Since(t0))
		switch string(r) {
		case ":1\r\n":
			delivered += len(payload)
		case ":0\r\n":
		default:
			t.Fatalf("PUBLISH reply %q", r)
		}
		sent += len(payload)
		if time.Since(start) > 30*time.Second {
			t.Fatalf("publishing %d MB took over 30s (slowest PUBLISH %v)", sent>>20, slowest)
		}
	}
	t.Logf("published %d MB in %v, %d MB counted as delivered, slowest PUBLISH %v", sent>>20, time.Since(start), delivered>>20, slowest)
	if delivered >= total {
		t.Fatalf("every PUBLISH reached the subscriber that never reads: it was not disconnected")
	}
	if delivered < 8<<20 {
		t.Errorf("subscriber dropped after only %d MB; the hard limit is 32 MB", delivered>>20)
	}
	if r := pub.Do("PUBSUB", "NUMSUB", "firehose"); string(r) != "*2\r\n$8\r\nfirehose\r\n:0\r\n" {
		t.Errorf("PUBSUB NUMSUB after the disconnect: %q", r)
	}
	if r := pub.Do("PING"); string(r) != "+PONG\r\n" {
		t.Errorf("PING: %q", r)
	}
	other := Dial(t, s.Addr)
	if r := other.Do("PING"); string(r) != "+PONG\r\n" {
		t.Errorf("PING on a new connection: %q", r)
	}
	// The subscriber's connection must end: what was already sent may be
	// read, then EOF (or a reset).
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(20 * time.Second)
	read := 0
	for {
		sub.c.SetReadDeadline(deadline)
		n, err := sub.br.Read(buf)
		read += n
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			break
		}
		t.Fatalf("subscriber connection still open after reading %d MB: %v", read>>20, err)
	}
	if read > 40<<20 {
		t.Errorf("subscriber read %d MB before being disconnected; the limit is 32 MB", read>>20)
	}
}

// ReadReplyAfter sends raw and reads one reply within d.
func (rc *RawConn) ReadReplyAfter(raw []byte, d time.Duration) ([]byte, error) {
	rc.c.SetWriteDeadline(time.Now().Add(d))
	if _, err := rc.c.Write(raw); err != nil {
		return nil, err
	}
	return rc.ReadReplyTimeout(d)
}
