// floor.c: engine/floor_test.go's BenchmarkFloor "zadd" case (the SQLite
// work under redis-benchmark's ZADD) on native SQLite instead of ncruces'
// WebAssembly build, to tell what SQLite itself costs from what the
// translation adds: the same schema, statement and pragmas as a shard's
// writer, 100,000 members, 17 writes per commit, a PASSIVE checkpoint when
// the log passes 30,000 pages. SQLite's own unix VFS writes two pwrite(2)s
// per log frame where the engine's walbuf.go writes one per commit, so this
// side pays more system calls, not fewer. Members are hashed with FNV-1a
// where the engine's keyHash starts from CRC-32: both spread them evenly.
//
//   apt-get install -y libsqlite3-dev
//   gcc -O2 -o /tmp/floor benchmarks/nativefloor/floor.c -lsqlite3
//   rm -f /tmp/f.db*; /tmp/floor /tmp/f.db 200000      # N writes; PS=2048 sets the page size
//   go test -run '^$' -bench 'Floor/zadd$' -benchtime 200000x ./engine/   # the same on ncruces
//
// Not part of the build or the tests (no Go files here).
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
static int pages;
static int hook(void *a, sqlite3 *db, const char *n, int p) { pages = p; return SQLITE_OK; }
static int64_t khash(const char *s, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
  h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
  return (int64_t)h;
}
static void ex(sqlite3 *db, const char *sql) {
  char *err = 0;
  if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, err); exit(1); }
}
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: floor DBFILE WRITES [INDEX=1]\n"); return 2; }
  const char *path = argv[1]; long n = atol(argv[2]); int index = argc > 3 ? atoi(argv[3]) : 1;
  const int members = 100000, batch = 17;
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
  if (getenv("PS")) { char q[64]; snprintf(q, sizeof q, "PRAGMA page_size=%s;", getenv("PS")); ex(db, q); }
  ex(db, "PRAGMA cache_size=-8000; PRAGMA temp_store=MEMORY; PRAGMA journal_mode=WAL; PRAGMA journal_size_limit=167772160; PRAGMA wal_autocheckpoint=0; PRAGMA synchronous=NORMAL;");
  sqlite3_wal_hook(db, hook, 0);
  ex(db, "CREATE TABLE z (id INTEGER NOT NULL, h INTEGER NOT NULL, member BLOB NOT NULL, score REAL NOT NULL, PRIMARY KEY (id, h, member)) WITHOUT ROWID;");
  if (index) ex(db, "CREATE INDEX z_score ON z(id, score, member);");
  sqlite3_stmt *st;
  sqlite3_prepare_v3(db, "INSERT INTO z VALUES(1,?,?,?) ON CONFLICT DO UPDATE SET score=excluded.score", -1, SQLITE_PREPARE_PERSISTENT, &st, 0);
  char m[64];
#define WRITE(mm, sc) do { int l = snprintf(m, sizeof m, "element:%012ld", (long)(mm)); \
    sqlite3_bind_int64(st, 1, khash(m, l)); sqlite3_bind_blob(st, 2, m, l, SQLITE_STATIC); \
    sqlite3_bind_double(st, 3, (sc)); if (sqlite3_step(st) != SQLITE_DONE) { fprintf(stderr, "step: %s\n", sqlite3_errmsg(db)); exit(1);} sqlite3_reset(st); } while (0)
  ex(db, "BEGIN");
  for (long i = 0; i < members; i++) WRITE(i, (double)i);
  ex(db, "COMMIT");
  ex(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
  for (long i = 0; i < n; i += batch) {
    ex(db, "BEGIN");
    for (long j = i; j < i + batch; j++) { long r = j * 7919; WRITE(r % members, (double)(r % 100003)); }
    ex(db, "COMMIT");
    if (pages >= 30000) ex(db, "PRAGMA wal_checkpoint(PASSIVE)");
  }
  double c1 = now(CLOCK_PROCESS_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
  printf("native sqlite %s index=%d: %.2f us CPU, %.2f us wall per write (n=%ld)\n", sqlite3_libversion(), index, (c1 - c0) / n * 1e6, (w1 - w0) / n * 1e6, n);
  return 0;
}
