//go:build unix

package slo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// importWithin runs ImportFile, failing the test if it does not return promptly: a
// FIFO must never block it.
func importWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _, err := ImportFile(path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("ImportFile(%s) still running after 10s", path)
		return nil
	}
}

func TestImportFileRefusesWhatIsNotARegularFileOfBoundedSize(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("#"+strings.Repeat("x", MaxImportBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	for path, want := range map[string]string{
		"/dev/zero":    "/dev/zero is not a regular file",
		"/dev/urandom": "/dev/urandom is not a regular file",
		fifo:           fifo + " is not a regular file",
		sub:            sub + " is not a regular file",
		big:            big + " is larger than the 4 MiB limit for SLO files",
		missing:        "cannot read " + missing + ": no such file or directory",
	} {
		err := importWithin(t, path)
		if err == nil || err.Error() != want {
			t.Errorf("ImportFile(%s) = %v\nwant %s", path, err, want)
		}
		if errors.Is(err, fs.ErrNotExist) != (path == missing) {
			t.Errorf("ImportFile(%s): errors.Is(err, fs.ErrNotExist) = %v", path, errors.Is(err, fs.ErrNotExist))
		}
	}
}

func TestImportFileAtTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slos.yaml")
	body := "# a long comment\n"
	body += "#" + strings.Repeat("x", MaxImportBytes-len(body)-2) + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(body) != MaxImportBytes {
		t.Fatalf("test file is %d bytes", len(body))
	}
	defs, skipped, err := ImportFile(path)
	if err != nil || len(defs) != 0 || len(skipped) != 0 {
		t.Errorf("ImportFile of a file at the limit = %v, %v, %v", defs, skipped, err)
	}
}
