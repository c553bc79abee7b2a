package config

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://admin:Passw0rd@host", "http://admin:xxxxx@host"},
		{"https://admin:Passw0rd@mimir.example.com:443/prometheus?x=1", "https://admin:xxxxx@mimir.example.com:443/prometheus?x=1"},
		{"http://host:9090", "http://host:9090"},
		{"http://host/api?email=a@b", "http://host/api?email=a@b"},
		{"http://user@host", "http://user@host"},
		{"", ""},
		{"not a url", "not a url"},
		// An @ in the password: the last @ ends the userinfo.
		{"http://admin:p@ss@host", "http://admin:xxxxx@host"},
		// Unparsable: a port that is not a number, a password with a / or #.
		{"http://admin:Passw0rd@host:port", "http://admin:xxxxx@host:port"},
		{"http://admin:Pass/w0rd@host", "http://admin:xxxxx@host"},
		{"http://admin:Pass#w0rd@host", "http://admin:xxxxx@host"},
		{"http://admin:1234#5678@host", "http://admin:xxxxx@host"},
		{"http://admin:1234/5678@host:9090/x", "http://admin:xxxxx@host:9090/x"},
		{"http://Passw0rd@host:port", "http://xxxxx@host:port"},
		{"http://admin:Pass w0rd@host", "http://admin:xxxxx@host"},
		{"http://admin:Passw0rd@host\x7f", "http://admin:xxxxx@host\x7f"},
		{"http://admin:Passw0rd@[::1", "http://admin:xxxxx@[::1"},
		// No scheme: "admin" reads as one, the rest as opaque.
		{"admin:Passw0rd@host:9090", "admin:xxxxx@host:9090"},
		{"%zz://admin:Passw0rd@host", "%zz://admin:xxxxx@host"},
	} {
		got := RedactURL(tt.in)
		if got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "Passw0rd") || strings.Contains(got, "5678") {
			t.Errorf("RedactURL(%q) = %q shows the password", tt.in, got)
		}
	}
}

func TestRedactText(t *testing.T) {
	msg := `parse "socks5://u:Passw0rd@proxy:x": invalid port; also sekret and abc`
	got := redactText(msg, []string{"sekret", "abc", ""})
	want := `parse "socks5://u:xxxxx@proxy:x": invalid port; also xxxxx and abc`
	if got != want {
		t.Errorf("redactText = %q\nwant %q", got, want)
	}
}
