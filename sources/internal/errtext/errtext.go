// Package errtext turns what went wrong on the way to a server into the few words a
// source badge shows: "connection refused", "timeout after 10s", "TLS handshake with
// a plain-HTTP server (use http://)". Every source (Prometheus, Alertmanager,
// PagerDuty) words the same failure the same way, and a server's own text is made
// one clean, short line with any URL password masked.
package errtext

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-sre/vigil/internal/textsafe"
)

// Max bounds a server's own words in a reason: a parse error quoting a whole 20 KB
// query must not fill the status line.
const Max = 160

// Clip makes s one printable line of at most Max runes: line breaks become spaces,
// escape sequences, other controls and bidi overrides go, and a long text is cut.
func Clip(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
	s = strings.Join(strings.Fields(textsafe.Clean(s)), " ")
	if r := []rune(s); len(r) > Max {
		s = string(r[:Max-1]) + "…"
	}
	return s
}

var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\s]*)@`)

// RedactURLs masks the password of every URL in s (`http://admin:xxxxx@host`), and
// a user part without a password whole, as it may be a token.
func RedactURLs(s string) string {
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		user, _, hasPass := strings.Cut(sub[2], ":")
		if !hasPass {
			return sub[1] + "xxxxx@"
		}
		return sub[1] + user + ":xxxxx@"
	})
}

// Text is a server's or a library's error text as a reason: redacted, clipped,
// never empty.
func Text(s string) string {
	s = Clip(RedactURLs(s))
	if s == "" {
		return "error with no message"
	}
	return s
}

// Timeout reads a deadline as the limit the operator configured: "timeout after
// 10s", "timeout after 500ms"; just "timeout" when the limit is unknown (0).
func Timeout(budget time.Duration) string {
	switch {
	case budget <= 0:
		return "timeout"
	case budget >= time.Second:
		return "timeout after " + budget.Round(100*time.Millisecond).String()
	}
	return "timeout after " + budget.Round(time.Millisecond).String()
}

// Transport words a failure of the network, TLS or the connection, and reports
// whether err was one. budget is the time limit the request had (0: unknown); caHint
// follows an unknown certificate authority, naming the setting that fixes it ("" for
// none).
func Transport(err error, budget time.Duration, caHint string) (string, bool) {
	var (
		dnsErr  *net.DNSError
		authErr x509.UnknownAuthorityError
		hostErr x509.HostnameError
		certErr x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout(budget), true
	case errors.Is(err, context.Canceled):
		return "canceled", true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", true
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset", true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable", true
	case errors.As(err, &dnsErr):
		name := Clip(dnsErr.Name)
		switch {
		case dnsErr.IsNotFound && name == "":
			return "no such host", true
		case dnsErr.IsNotFound:
			return "no such host " + name, true
		case name == "":
			return "DNS lookup failed", true
		}
		return "DNS lookup of " + name + " failed", true
	case errors.As(err, &authErr):
		s := "TLS: certificate signed by an unknown authority"
		if caHint != "" {
			s += " (" + caHint + ")"
		}
		return s, true
	case errors.As(err, &hostErr):
		return "TLS: " + Text(hostErr.Error()), true
	case errors.As(err, &certErr):
		return "TLS: " + Text(certErr.Error()), true
	case errors.As(err, &recErr):
		return "TLS handshake with a plain-HTTP server (use http://)", true
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout", true
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "response cut short", true
	case errors.Is(err, io.EOF):
		return "connection closed by the server", true
	}
	return "", false
}
