package config

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted stands in for a secret, as net/url and prometheus/common write it.
const redacted = "xxxxx"

// RedactURL returns raw fit to be shown: the password of its userinfo is replaced by
// xxxxx (http://admin:xxxxx@host). It never fails. A URL that does not parse, or that
// parses in a way that could have put part of a password elsewhere (a password with an
// unescaped /, ? or # in it), is redacted from the text alone: everything between ://
// and the last @ goes, except a user name before the first colon. This may redact more
// than the userinfo of an odd URL (an @ in its path), never less.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.Opaque == "" {
		if u.User != nil {
			return u.Redacted()
		}
		// "http://admin:12#34@host" parses as host admin:12 and fragment 34@host.
		if !strings.Contains(u.Host, ":") || !strings.Contains(raw, "@") {
			return raw
		}
	}
	return redactUserinfo(raw)
}

// redactUserinfo redacts between the scheme's :// (or the start, without one) and the
// last @, keeping a user name before the first colon.
func redactUserinfo(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + len("://")
	}
	rest := raw[start:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user := redacted
	if i := strings.IndexByte(rest[:at], ':'); i >= 0 {
		user = rest[:i+1] + redacted
	}
	return raw[:start] + user + rest[at:]
}

// urlInText is a URL inside a message, up to white space or a quote.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>]*`)

// redactText redacts every URL found in a message, and every secret (values the config
// holds in secret fields) long enough not to match by chance: a config error must never
// show a password, even one that reaches the message by a path nobody foresaw.
func redactText(msg string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= minScrubbed {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	if strings.Contains(msg, "://") {
		msg = urlInText.ReplaceAllStringFunc(msg, redactUserinfo)
	}
	return msg
}

// minScrubbed is the shortest secret redactText replaces wherever it appears: shorter
// ones would blank out ordinary words of the message. Messages quote no secret value on
// purpose; this is the second line of defence.
const minScrubbed = 4
