// Package keyfile reads and writes the files Signet keeps its secrets in
// (the sealing keyring, the audit key): never readable by group or others,
// created once without a window in which a reader sees half a file, and
// replaced atomically.
package keyfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Mode is how every key file is created.
const Mode fs.FileMode = 0o600

// ErrNotExist is returned by Read when the file is missing.
var ErrNotExist = fs.ErrNotExist

// Stamp identifies one version of a file, so a holder can tell that it was
// replaced (rotation) and read it again.
type Stamp struct {
	mod  int64 // nanoseconds since the epoch
	size int64
	ino  uint64
}

func stampOf(fi fs.FileInfo) Stamp {
	s := Stamp{mod: fi.ModTime().UnixNano(), size: fi.Size()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = st.Ino
	}
	return s
}

// Current returns the stamp of the file at path now.
func Current(path string) (Stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Stamp{}, err
	}
	return stampOf(fi), nil
}

// Read returns the file's content and stamp. It refuses a file that group
// or others may read, as ssh does: a key anyone on the host can read is
// not outside anything.
func Read(path string) ([]byte, Stamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Stamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, Stamp{}, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, Stamp{}, fmt.Errorf("%s is readable by group or others (mode %04o); chmod 600 it", path, perm)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, Stamp{}, err
	}
	return data, stampOf(fi), nil
}

// Create writes data to path unless a file is there already, and reports
// whether it did. The content is written in full to a temporary file that
// is then hard-linked into place: the link fails if another process got
// there first, and no reader ever sees a half-written key. Missing
// directories are created 0700.
func Create(path string, data []byte) (created bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("create key directory: %w", err)
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("install %s: %w", path, err)
	}
	// Losing a key after using it would leave what it sealed unverifiable.
	return true, syncDir(dir)
}

// Replace atomically replaces the file at path with data (mode 0600):
// readers see the old content or the new, never a mixture.
func Replace(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return syncDir(dir)
}

func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".signet-key-*") // O_EXCL, mode 0600
	if err != nil {
		return "", fmt.Errorf("create key file: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write key file: %w", err)
	}
	return f.Name(), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
