package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	promconfig "github.com/prometheus/common/config"
)

// httpClient checks what prometheus/common would otherwise only find, or get wrong,
// at the first request: the proxy's scheme, header values that would split a request,
// and (Load only) every file the client will read.
func (k *checker) httpClient(path string, h *promconfig.HTTPClientConfig) {
	k.proxy(path, &h.ProxyConfig)
	if o := h.OAuth2; o != nil {
		if o.TokenURL != "" {
			k.checkURL(path+".oauth2.token_url", o.TokenURL)
		}
		k.proxy(path+".oauth2", &o.ProxyConfig)
	}
	if hs := h.HTTPHeaders; hs != nil {
		for _, name := range sortedKeys(hs.Headers) {
			hpath := join(path+".http_headers", name)
			k.headerName(hpath, name)
			hd := hs.Headers[name]
			for i, v := range hd.Values {
				k.headerValue(fmt.Sprintf("%s.values[%d]", hpath, i), v)
			}
			for i, v := range hd.Secrets {
				k.headerValue(fmt.Sprintf("%s.secrets[%d]", hpath, i), string(v))
			}
		}
	}
	if k.opts.readFiles {
		k.checkSecretFiles(path, h)
	}
}

// proxySchemes are those net/http's Transport can use.
var proxySchemes = []string{"http", "https", "socks5", "socks5h"}

func (k *checker) proxy(path string, p *promconfig.ProxyConfig) {
	for _, name := range sortedKeys(p.ProxyConnectHeader) {
		hpath := join(path+".proxy_connect_header", name)
		k.headerName(hpath, name)
		for i, v := range p.ProxyConnectHeader[name] {
			k.headerValue(fmt.Sprintf("%s[%d]", hpath, i), string(v))
		}
	}
	u := p.ProxyURL.URL
	if u == nil || u.String() == "" {
		return
	}
	if !slices.Contains(proxySchemes, strings.ToLower(u.Scheme)) || u.Host == "" {
		k.fail(path+".proxy_url", "must be an http://, https:// or socks5:// URL, got %s", quote(RedactURL(u.String())))
	}
}

// headerName refuses what no HTTP request can carry as a header name.
func (k *checker) headerName(path, name string) {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		k.fail(path, "not a valid header name")
	}
}

// headerValue refuses a line break, which would end the header early and let the rest
// of the value pose as headers of its own, and other control characters. The value is
// never quoted: it may be a secret.
func (k *checker) headerValue(path, v string) {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		k.fail(path, "contains a line break (CR or LF): a header value must be one line")
	case strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) >= 0:
		k.fail(path, "contains a control character")
	}
}

// isTokenChar reports whether r may appear in a header name (RFC 9110 tchar).
func isTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// secrets lists the secret values the config holds, for redactText.
func (c *Config) secrets() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	addURL := func(u *url.URL) {
		if u != nil && u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
	}
	addHTTP := func(rawURL string, h *promconfig.HTTPClientConfig) {
		if u, err := url.Parse(rawURL); err == nil {
			addURL(u)
		}
		if a := h.BasicAuth; a != nil {
			add(string(a.Password))
		}
		if a := h.Authorization; a != nil {
			add(string(a.Credentials))
		}
		add(string(h.BearerToken))
		add(string(h.TLSConfig.Key))
		if o := h.OAuth2; o != nil {
			add(string(o.ClientSecret))
			add(string(o.ClientCertificateKey))
			add(string(o.TLSConfig.Key))
			addURL(o.ProxyURL.URL)
			for _, vs := range o.ProxyConnectHeader {
				for _, v := range vs {
					add(string(v))
				}
			}
		}
		addURL(h.ProxyURL.URL)
		for _, vs := range h.ProxyConnectHeader {
			for _, v := range vs {
				add(string(v))
			}
		}
		if hs := h.HTTPHeaders; hs != nil {
			for _, hd := range hs.Headers {
				for _, v := range hd.Secrets {
					add(string(v))
				}
			}
		}
	}
	for i := range c.Prometheus {
		addHTTP(c.Prometheus[i].URL, &c.Prometheus[i].HTTP)
	}
	for i := range c.Alertmanager {
		addHTTP(c.Alertmanager[i].URL, &c.Alertmanager[i].HTTP)
	}
	if pd := c.PagerDuty; pd != nil {
		if u, err := url.Parse(pd.URL); err == nil {
			addURL(u)
		}
	}
	return out
}
