package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canary stands for a password in every secret-bearing field; no error may show it.
const canary = "Canary-S3cret-42%" // not valid PromQL, nor a valid URL escape

func TestErrorsNeverShowSecrets(t *testing.T) {
	entry := "prometheus:\n  - name: prod\n    url: http://127.0.0.1:9090\n"
	for name, body := range map[string]string{
		"URL with a bad scheme":            "prometheus:\n  - name: prod\n    url: ftp://admin:" + canary + "@host\n",
		"URL that does not parse":          "prometheus:\n  - name: prod\n    url: http://admin:" + canary + "@host:port\n",
		"URL with a slash in the password": "prometheus:\n  - name: prod\n    url: http://admin:" + canary + "/x@host:9090\n",
		"alertmanager URL":                 "alertmanager:\n  - name: am\n    url: 'http://admin:" + canary + "@[::1'\n",
		"pagerduty URL":                    "pagerduty:\n  token_env: PD\n  url: gopher://admin:" + canary + "@host\n",
		"basic_auth with authorization":    entry + "    basic_auth: {username: u, password: " + canary + "}\n    authorization: {credentials: x}\n",
		"password and password_file":       entry + "    basic_auth: {username: u, password: " + canary + ", password_file: /nonexistent}\n",
		"password with an unknown key":     entry + "    basic_auth: {username: u, password: " + canary + ", passwd: x}\n",
		"basic_auth as a string":           entry + "    basic_auth: admin:" + canary + "\n",
		"authorization as a string":        entry + "    authorization: Bearer " + canary + "\n",
		"credentials as a list":            entry + "    authorization: {credentials: [" + canary + "]}\n",
		"oauth2 without token_url":         entry + "    oauth2: {client_id: c, client_secret: " + canary + "}\n",
		"bearer_token twice":               entry + "    bearer_token: " + canary + "\n    bearer_token_file: /x\n",
		"inline TLS key without cert":      entry + "    tls_config: {key: " + canary + "}\n",
		"proxy with a bad scheme":          entry + "    proxy_url: file://u:" + canary + "@proxy\n",
		"proxy that does not parse":        entry + "    proxy_url: http://u:" + canary + "/x@proxy:port\n",
		"proxy header with a line break":   entry + "    proxy_url: http://proxy\n    proxy_connect_header: {Proxy-Authorization: [\"" + canary + "\\n\"]}\n",
		"header secret as a string":        entry + "    http_headers: {X-Token: {secrets: " + canary + "}}\n",
		"header as a string":               entry + "    http_headers: {X-Token: Bearer " + canary + "}\n",
		"header secret with a line break":  entry + "    http_headers: {X-Token: {secrets: [\"" + canary + "\\r\\nX: y\"]}}\n",
		"follow_redirects as a secret":     entry + "    follow_redirects: " + canary + "\n",
		"a secret aliased into refresh":    entry + "    basic_auth: {username: u, password: &p " + canary + "}\nrefresh: *p\n",
		"a secret aliased into a query": entry + "    authorization: {credentials: &p " + canary + "}\n" +
			"services:\n  - name: api\n    traffic: *p\n",
		"a valid secret and another error": entry + "    basic_auth: {username: u, password: " + canary + "}\ntriage: {min_severity: page}\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := Parse("config.yaml", []byte(body))
			if err == nil {
				t.Fatalf("Parse succeeded; every case has an error")
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("the error shows the secret:\n%v", err)
			}
			if c != nil && strings.Contains(strings.Join(c.Warnings, "\n"), canary) {
				t.Errorf("a warning shows the secret: %q", c.Warnings)
			}
			// Load, which also reads files, shows no more.
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(path); err == nil || strings.Contains(err.Error(), canary) {
				t.Errorf("Load = %v", err)
			}
		})
	}
}
