package engine

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// BenchmarkFloor measures what SQLite alone costs for the writes of
// redis-benchmark's SADD and ZADD, outside the engine: one statement per
// write on a connection opened like a shard's writer (same VFS, pragmas and
// page cache), 17 writes per commit (what the server's writer groups under
// 50 unpipelined clients) and a checkpoint whenever the log passes
// CheckpointPages, as the engine's background checkpoint does, counted here
// on the same goroutine. No key lookup, no rank index, no key cache, no
// network. It is the floor under the engine's ZADD: a sorted set needs its
// members in two B-trees (by member, by score), and a score change moves the
// member in the second. "no-checkpoint" leaves the log growing, a bound
// below what any store that keeps its data must pay.
//
// Each write is redis-benchmark's shape: a random member of 100,000 with a
// random score, on a set that already holds the 100,000 members (SADD's
// set starts empty, as redis-benchmark's does).
func BenchmarkFloor(b *testing.B) {
	const (
		members = 100000
		batch   = 17
	)
	const (
		zTable  = "CREATE TABLE z (id INTEGER NOT NULL, h INTEGER NOT NULL, member BLOB NOT NULL, score REAL NOT NULL, PRIMARY KEY (id, h, member)) WITHOUT ROWID;"
		zIndex  = "CREATE INDEX z_score ON z(id, score, member);"
		zUpsert = "INSERT INTO z VALUES(1,?,?,?) ON CONFLICT DO UPDATE SET score=excluded.score"
	)
	cases := []struct {
		name, tables, sql string
		score, fill, ckpt bool
	}{
		{"sadd", "CREATE TABLE s (id INTEGER NOT NULL, h INTEGER NOT NULL, member BLOB NOT NULL, PRIMARY KEY (id, h, member)) WITHOUT ROWID;",
			"INSERT OR IGNORE INTO s VALUES(1,?,?)", false, false, true},
		{"zadd-member-btree-only", zTable, zUpsert, true, true, true},
		{"zadd", zTable + zIndex, zUpsert, true, true, true},
		{"zadd-no-checkpoint", zTable + zIndex, zUpsert, true, true, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			c, err := openConn(filepath.Join(b.TempDir(), "floor.db"), false, SyncEverysec)
			if err != nil {
				b.Fatal(err)
			}
			defer c.close()
			var pages int
			c.c.WALHook(func(_ *sqlite3.Conn, _ string, n int) error { pages = n; return nil })
			if err := c.c.Exec(tc.tables); err != nil {
				b.Fatal(err)
			}
			st := c.stmt(tc.sql)
			write := func(m int64, score float64) {
				member := fmt.Appendf(nil, "element:%012d", m)
				st.BindInt64(1, keyHash(member))
				st.BindBlob(2, member)
				if tc.score {
					st.BindFloat(3, score)
				}
				if err := st.Exec(); err != nil {
					b.Fatal(err)
				}
				st.Reset()
			}
			if tc.fill {
				c.exec("BEGIN")
				for m := int64(0); m < members; m++ {
					write(m, float64(m))
				}
				c.exec("COMMIT")
			}
			c.exec("PRAGMA wal_checkpoint(TRUNCATE)")
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				c.exec("BEGIN")
				for j := i; j < i+batch; j++ {
					r := int64(j) * 7919
					write(r%members, float64(r%100003))
				}
				c.exec("COMMIT")
				if tc.ckpt && int64(pages) >= CheckpointPages {
					c.exec("PRAGMA wal_checkpoint(PASSIVE)")
				}
			}
		})
	}
}
