package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	promconfig "github.com/prometheus/common/config"
)

// Every file the config makes vigil read is a regular file of bounded size: /dev/zero
// as a password file must not exhaust memory, nor a FIFO hang the start.
const (
	// MaxConfigBytes caps the config file and each slos[].import file. The largest
	// real config, 50,000 services, is about 2 MiB.
	MaxConfigBytes = 4 << 20
	// MaxSecretBytes caps a file holding a secret: a password, token, credentials, a
	// client secret or key, a header value.
	MaxSecretBytes = 64 << 10
	// MaxCertBytes caps a certificate file (tls_config ca_file and cert_file): a CA
	// bundle such as Mozilla's, about 220 KiB, must fit.
	MaxCertBytes = 1 << 20
)

// fileKind names what a file holds in a message about its limit.
type fileKind struct {
	name  string // "secret files"
	limit int64
}

var (
	configFile = fileKind{"config files", MaxConfigBytes}
	secretFile = fileKind{"secret files", MaxSecretBytes}
	certFile   = fileKind{"certificate files", MaxCertBytes}
)

// fileProblem is a file that is not a regular file or exceeds its limit. Its message
// names the file and the limit, and never its content.
type fileProblem struct {
	path string
	msg  string // "not a regular file"
}

func (e *fileProblem) Error() string { return e.path + " is " + e.msg }

// readFile reads the regular file at path, at most kind's limit. A FIFO, device or
// directory is refused before anything is read from it; it is opened non-blocking, so
// that a FIFO swapped in after the first look does not block the open, and looked at
// again once open. The read stops one byte past the limit, so a file that grows while
// it is read cannot exceed it either. Errors from the system (no such file, permission
// denied) are returned as they come, as *fs.PathError.
func readFile(path string, kind fileKind) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fileProblem{path, "not a regular file"}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlocking, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fileProblem{path, "not a regular file"}
	}
	if fi.Size() > kind.limit {
		return nil, tooLarge(path, kind)
	}
	data, err := io.ReadAll(io.LimitReader(f, kind.limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > kind.limit {
		return nil, tooLarge(path, kind)
	}
	return data, nil
}

func tooLarge(path string, kind fileKind) error {
	return &fileProblem{path, fmt.Sprintf("larger than the %s limit for %s", size(kind.limit), kind.name)}
}

// size writes a limit in KiB or MiB.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// fileMessage is the message for a failed readFile, naming the file.
func fileMessage(err error) string {
	var fp *fileProblem
	if errors.As(err, &fp) {
		return fp.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return oneLine(err)
}

// checkFile reads the file at path as Load will have it read later, so that a missing,
// unreadable, endless or oversized file is a config error naming its key now, not a
// source that fails at its first poll. The content is returned for checks of its own,
// and never shown.
func (k *checker) checkFile(path, file string, kind fileKind) ([]byte, bool) {
	data, err := readFile(file, kind)
	if err != nil {
		k.fail(path, "%s", fileMessage(err))
		return nil, false
	}
	return data, true
}

// checkSecretFiles checks every file an endpoint's HTTP client will read: credentials,
// TLS material, header values from files.
func (k *checker) checkSecretFiles(prefix string, h *promconfig.HTTPClientConfig) {
	secret := func(key, file string) {
		if file != "" {
			k.checkFile(prefix+"."+key, file, secretFile)
		}
	}
	if a := h.BasicAuth; a != nil {
		secret("basic_auth.username_file", a.UsernameFile)
		secret("basic_auth.password_file", a.PasswordFile)
	}
	if a := h.Authorization; a != nil {
		key := "authorization.credentials_file"
		// Validate moved bearer_token_file here; name the key that was written.
		if k.c.written(prefix + ".bearer_token_file") {
			key = "bearer_token_file"
		}
		secret(key, a.CredentialsFile)
	}
	if o := h.OAuth2; o != nil {
		secret("oauth2.client_secret_file", o.ClientSecretFile)
		secret("oauth2.client_certificate_key_file", o.ClientCertificateKeyFile)
		k.checkTLSFiles(prefix+".oauth2.tls_config", o.TLSConfig.CAFile, o.TLSConfig.CertFile, o.TLSConfig.KeyFile)
	}
	k.checkTLSFiles(prefix+".tls_config", h.TLSConfig.CAFile, h.TLSConfig.CertFile, h.TLSConfig.KeyFile)
	if hs := h.HTTPHeaders; hs != nil {
		for _, name := range sortedKeys(hs.Headers) {
			for i, file := range hs.Headers[name].Files {
				path := fmt.Sprintf("%s.http_headers.%s.files[%d]", prefix, name, i)
				data, ok := k.checkFile(path, file, secretFile)
				// The client sends the file's content trimmed of white space.
				if ok && strings.ContainsAny(strings.TrimSpace(string(data)), "\r\n") {
					k.fail(path, "%s holds more than one line: a header value must be one line", file)
				}
			}
		}
	}
}

func (k *checker) checkTLSFiles(prefix, ca, cert, key string) {
	for _, f := range []struct {
		key, file string
		kind      fileKind
	}{{"ca_file", ca, certFile}, {"cert_file", cert, certFile}, {"key_file", key, secretFile}} {
		if f.file != "" {
			k.checkFile(prefix+"."+f.key, f.file, f.kind)
		}
	}
}
