//go:build unix

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// badFiles makes one file of each kind Load must refuse, in dir: a device that never
// ends, a FIFO nobody writes to, a directory, a file past every limit, a missing file.
// Each maps to the message naming it, with %s for the kind's limit.
func badFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	write(t, big, strings.Repeat("x", MaxConfigBytes+1), 0o600)
	missing := filepath.Join(dir, "missing")
	return map[string]string{
		"/dev/zero": "/dev/zero is not a regular file",
		fifo:        fifo + " is not a regular file",
		sub:         sub + " is not a regular file",
		big:         big + " is larger than the %s",
		missing:     "cannot read " + missing + ": no such file or directory",
	}
}

// loadWithin runs Load, failing the test if it does not return promptly: a FIFO must
// never block it.
func loadWithin(t *testing.T, path string) (*Config, error) {
	t.Helper()
	type result struct {
		c   *Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Load(path)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) still running after 10s", path)
		return nil, nil
	}
}

func TestLoadRefusesFilesThatAreNotRegularOrTooLarge(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	write(t, good, "s3cret\n", 0o600)
	// Each place a file is named: the snippet after base (BAD is the file under test,
	// GOOD a readable one), the line and key of the error, and the limit named.
	places := []struct {
		snippet string
		line    int
		key     string
		limit   string
	}{
		{"    basic_auth:\n      username: u\n      password_file: BAD\n", 6, "prometheus[0].basic_auth.password_file", "64 KiB limit for secret files"},
		{"    basic_auth:\n      username_file: BAD\n      password_file: GOOD\n", 5, "prometheus[0].basic_auth.username_file", "64 KiB limit for secret files"},
		{"    authorization:\n      credentials_file: BAD\n", 5, "prometheus[0].authorization.credentials_file", "64 KiB limit for secret files"},
		{"    bearer_token_file: BAD\n", 4, "prometheus[0].bearer_token_file", "64 KiB limit for secret files"},
		{"    oauth2:\n      client_id: c\n      token_url: http://t\n      client_secret_file: BAD\n", 7, "prometheus[0].oauth2.client_secret_file", "64 KiB limit for secret files"},
		{"    oauth2:\n      client_id: c\n      token_url: http://t\n      tls_config: {ca_file: BAD}\n", 7, "prometheus[0].oauth2.tls_config.ca_file", "1 MiB limit for certificate files"},
		{"    tls_config:\n      ca_file: BAD\n", 5, "prometheus[0].tls_config.ca_file", "1 MiB limit for certificate files"},
		{"    tls_config:\n      cert_file: BAD\n      key_file: GOOD\n", 5, "prometheus[0].tls_config.cert_file", "1 MiB limit for certificate files"},
		{"    tls_config:\n      cert_file: GOOD\n      key_file: BAD\n", 6, "prometheus[0].tls_config.key_file", "64 KiB limit for secret files"},
		{"    http_headers:\n      X-Token:\n        files: [BAD]\n", 6, "prometheus[0].http_headers.X-Token.files[0]", "64 KiB limit for secret files"},
		{"alertmanager:\n  - name: am\n    url: http://am:9093\n    basic_auth: {username: u, password_file: BAD}\n", 7, "alertmanager[0].basic_auth.password_file", "64 KiB limit for secret files"},
		{"pagerduty:\n  token_file: BAD\n  read_only: true\n  scope: account\n", 5, "pagerduty.token_file", "64 KiB limit for secret files"},
		{"slos:\n  - import: BAD\n", 5, "slos[0].import", "4 MiB limit for SLO files"},
	}
	bad := badFiles(t, dir)
	for file, msg := range bad {
		for _, p := range places {
			name := filepath.Base(file) + " as " + p.key
			t.Run(name, func(t *testing.T) {
				cfg := filepath.Join(dir, "config.yaml")
				body := strings.NewReplacer("BAD", file, "GOOD", good).Replace(base + p.snippet)
				write(t, cfg, body, 0o600)
				_, err := loadWithin(t, cfg)
				want := fmt.Sprintf("%s:%d: %s: %s", cfg, p.line, p.key, msg)
				if strings.Contains(msg, "%s") {
					want = fmt.Sprintf("%s:%d: %s: %s", cfg, p.line, p.key, fmt.Sprintf(msg, p.limit))
				}
				if err == nil || err.Error() != want {
					t.Errorf("Load = %v\nwant %s", err, want)
				}
				// A missing secret file is a config error, not a missing config.
				if errors.Is(err, fs.ErrNotExist) {
					t.Errorf("errors.Is(err, fs.ErrNotExist): the config itself would read as missing")
				}
			})
		}
	}

	// The config file itself.
	for file, msg := range bad {
		t.Run(filepath.Base(file)+" as the config", func(t *testing.T) {
			_, err := loadWithin(t, file)
			if strings.HasPrefix(msg, "cannot read") {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Load = %v, want a not-exist error", err)
				}
				return
			}
			msg = strings.TrimPrefix(msg, file+" is ")
			want := file + ": " + strings.Replace(msg, "%s", "4 MiB limit for config files", 1)
			var ce *Error
			if err == nil || err.Error() != want || !errors.As(err, &ce) {
				t.Errorf("Load = %v\nwant %s", err, want)
			}
		})
	}
}

// A file exactly at its limit is read; a secret file with two lines cannot be a header.
func TestLoadFilesAtTheLimit(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	write(t, secret, strings.Repeat("x", MaxSecretBytes), 0o600)
	ca := filepath.Join(dir, "ca.pem")
	write(t, ca, strings.Repeat("x", MaxCertBytes), 0o644)
	cfg := filepath.Join(dir, "config.yaml")
	write(t, cfg, base+"    basic_auth: {username: u, password_file: secret}\n    tls_config: {ca_file: ca.pem}\n", 0o600)
	if _, err := Load(cfg); err != nil {
		t.Errorf("files at their limits: %v", err)
	}
	lines := filepath.Join(dir, "lines")
	write(t, lines, "one\ntwo\n", 0o600)
	write(t, cfg, base+"    http_headers:\n      X-Token: {files: [lines]}\n", 0o600)
	want := cfg + ":5: prometheus[0].http_headers.X-Token.files[0]: " + lines + " holds more than one line: a header value must be one line"
	if _, err := Load(cfg); err == nil || err.Error() != want {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
}

func TestLoadUnreadableSecret(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	write(t, secret, "s3cret", 0o000)
	cfg := filepath.Join(dir, "config.yaml")
	write(t, cfg, base+"    basic_auth: {username: u, password_file: secret}\n", 0o600)
	want := cfg + ":4: prometheus[0].basic_auth.password_file: cannot read " + secret + ": permission denied"
	if _, err := Load(cfg); err == nil || err.Error() != want {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
}
