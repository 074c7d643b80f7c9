package engine

import (
	"encoding/binary"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ncruces/go-sqlite3/vfs"
)

// walVFS is the name of the VFS every shard connection opens its file
// with: SQLite's own file access (ncruces' "os" VFS), except that the
// write-ahead logs are written through walFile.
const walVFS = "redisk"

func init() { vfs.Register(walVFS, walBufVFS{vfs.Find("os").(vfs.VFSFilename)}) }

// shardURI is the SQLite URI that opens path with walVFS.
func shardURI(path string) string {
	u := url.URL{Scheme: "file", Opaque: strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)}
	if strings.HasPrefix(path, "//") {
		u.Opaque = "/" + strings.TrimLeft(u.Opaque, "/")
	}
	return u.String() + "?vfs=" + walVFS
}

// walBufVFS opens files as the "os" VFS does and wraps the write-ahead
// logs (every connection opens its log read-write) in a walFile.
type walBufVFS struct{ vfs.VFSFilename }

// OpenFilename implements vfs.VFSFilename.
func (v walBufVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, flags, err := v.VFSFilename.OpenFilename(name, flags)
	if err != nil || flags&vfs.OPEN_WAL == 0 || flags&vfs.OPEN_READWRITE == 0 {
		return f, flags, err
	}
	wf := &walFile{File: f}
	if h, ok := walSyncHooks.Load(name.Database()); ok {
		wf.synced = h.(func())
	}
	return wf, flags, nil
}

// walSyncHooks maps a database's full path, as SQLite names it
// (walHookKey), to what its logs' walFiles call after each successful sync
// (Store.countPending).
var walSyncHooks sync.Map

// walHookKey is the name SQLite will give the database at path: the "os"
// VFS's full path name (absolute, symbolic links resolved).
func walHookKey(path string) string {
	if full, _ := vfs.Find("os").FullPathname(path); full != "" {
		return full
	}
	return path
}

// walFile gathers what a commit appends to the write-ahead log and writes
// it with one pwrite, where SQLite writes each frame's 24-byte header and
// its page separately: a commit of n pages costs two system calls instead
// of 2n.
//
// The log is only read by other connections through the WAL index, which
// SQLite updates after it has written the commit frame (the one whose
// header carries the database size); walFile writes its buffer out with
// that frame's header, and the frame's page right after. Everything else
// that could look at the file — a read, Size, Sync, Truncate, Close, a
// write elsewhere than at the end of the buffer — first writes the buffer
// out, so SQLite never sees the difference. A failed write is reported by the call that wrote the buffer
// out (the commit frame's, which fails the commit).
//
// Two assumptions, both held by how shards are opened: one process writes
// the files (shard.Open locks the data folder; frames a rolled-back
// transaction left in the buffer are written out before this connection's
// next write, over offsets no commit of its own has used), and the files
// are powersafe-overwrite (ncruces' default, no psow=0 in shardURI), so
// SQLite never splits a padding frame around a sync at synchronous=FULL.
type walFile struct {
	vfs.File
	buf    []byte
	off    int64 // file offset of buf[0]
	commit bool  // the last write was a commit frame's header
	// synced, when set, runs after every successful Sync. At
	// synchronous=FULL, SQLite syncs the log after a commit's frames and
	// before it publishes them in the WAL index, so this is the last
	// moment before a new snapshot can see the commit.
	synced func()
}

// walFlushAt bounds the buffer: a transaction larger than this (a cache
// spill, a huge MULTI) writes it out in pieces before its commit frame.
const walFlushAt = 1 << 20

// Unwrap implements vfs.FileUnwrap.
func (f *walFile) Unwrap() vfs.File { return f.File }

// walWrites counts the writes walFile makes (tests check the coalescing).
var walWrites atomic.Int64

func (f *walFile) flush() error {
	if len(f.buf) > 0 {
		walWrites.Add(1)
	}
	b := f.buf
	f.buf = f.buf[:0]
	for len(b) > 0 {
		n, err := f.File.WriteAt(b, f.off)
		if err != nil {
			return err
		}
		b, f.off = b[n:], f.off+int64(n)
	}
	return nil
}

// WriteAt implements vfs.File.
func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	if len(f.buf) > 0 && off != f.off+int64(len(f.buf)) {
		if err := f.flush(); err != nil {
			return 0, err
		}
	}
	if len(f.buf) == 0 {
		f.off = off
	}
	f.buf = append(f.buf, p...)
	// A frame header is 24 bytes: page number, then the database size in
	// pages after the commit for a commit frame, 0 for any other. Both the
	// commit frame's header and its page are written out at once: SQLite
	// may rewrite that header alone (new checksums after frames were
	// overwritten) and publish the commit with no further write.
	wasCommit := f.commit
	f.commit = len(p) == 24 && binary.BigEndian.Uint32(p[4:8]) != 0
	if f.commit || wasCommit || len(f.buf) >= walFlushAt {
		if err := f.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// ReadAt implements vfs.File.
func (f *walFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

// Size implements vfs.File.
func (f *walFile) Size() (int64, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.Size()
}

// Sync implements vfs.File.
func (f *walFile) Sync(flags vfs.SyncFlag) error {
	if err := f.flush(); err != nil {
		return err
	}
	if err := f.File.Sync(flags); err != nil {
		return err
	}
	if f.synced != nil {
		f.synced()
	}
	return nil
}

// Truncate implements vfs.File.
func (f *walFile) Truncate(size int64) error {
	if err := f.flush(); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// Close implements vfs.File.
func (f *walFile) Close() error {
	err := f.flush()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// SizeHint implements vfs.FileSizeHint when the wrapped file does.
func (f *walFile) SizeHint(size int64) error {
	if h, ok := f.File.(vfs.FileSizeHint); ok {
		return h.SizeHint(size)
	}
	return nil
}
