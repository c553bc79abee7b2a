package config

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// The pagerduty section: its defaults, its checks, and what the source is built from.

const (
	defaultRegion = "us"
	// DefaultPagerDutyRequests is the request budget a minute when none is configured.
	DefaultPagerDutyRequests = 60
	// MaxPagerDutyRequests bounds requests_per_minute at half of PagerDuty's account
	// limit of 960 a minute: the account's other integrations need the rest.
	MaxPagerDutyRequests = 480
	// ScopeAccount is the scope that watches every incident the token can see.
	ScopeAccount = "account"
)

// pagerDutyEndpoints are the REST API roots of PagerDuty's service regions.
var pagerDutyEndpoints = map[string]string{
	"us": "https://api.pagerduty.com",
	"eu": "https://api.eu.pagerduty.com",
}

func (p *PagerDuty) setDefaults(budgetWritten bool) {
	if p.Region == "" {
		p.Region = defaultRegion
	}
	if p.RequestsPerMinute == 0 && !budgetWritten {
		p.RequestsPerMinute = DefaultPagerDutyRequests
	}
}

// APIURL is the REST API root vigil talks to: url when set, else the region's.
func (p *PagerDuty) APIURL() string {
	if p.URL != "" {
		return strings.TrimRight(p.URL, "/")
	}
	return pagerDutyEndpoints[p.Region]
}

// ReadToken reads the API token from token_env or token_file. Its errors name where
// the token should have been, never any part of it.
func (p *PagerDuty) ReadToken() (string, error) {
	if p.TokenEnv != "" {
		t := strings.TrimSpace(os.Getenv(p.TokenEnv))
		if t == "" {
			return "", fmt.Errorf("pagerduty.token_env: $%s is not set or empty", p.TokenEnv)
		}
		return t, nil
	}
	if p.TokenFile == "" {
		return "", errors.New("pagerduty: set exactly one of token_env or token_file")
	}
	if msg := tokenFileMode(p.TokenFile); msg != "" {
		return "", errors.New("pagerduty.token_file: " + msg)
	}
	data, err := readFile(p.TokenFile, secretFile)
	if err != nil {
		return "", errors.New("pagerduty.token_file: " + fileMessage(err))
	}
	t := strings.TrimSpace(string(data))
	if t == "" {
		return "", fmt.Errorf("pagerduty.token_file: %s is empty", p.TokenFile)
	}
	return t, nil
}

// tokenFileMode refuses a token others could read, as ssh does with private keys; ""
// when the file is private (or on Windows, whose permission bits os.Stat makes up).
func tokenFileMode(file string) string {
	fi, err := os.Stat(file)
	if err != nil {
		return fileMessage(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Sprintf("%s is accessible by group or others (mode %04o): chmod 600 %s", file, fi.Mode().Perm(), file)
	}
	return ""
}

func (k *checker) pagerDuty() {
	pd := k.c.PagerDuty
	if pd == nil {
		return
	}
	if (pd.TokenEnv == "") == (pd.TokenFile == "") {
		k.fail("pagerduty", "set exactly one of token_env or token_file")
	}
	switch {
	case pd.From == "" && !pd.ReadOnly:
		k.fail("pagerduty.from", "required: PagerDuty names the user every acknowledge, resolve, snooze and note is made as (an email address); or set read_only: true")
	case pd.From != "" && !strings.Contains(pd.From, "@"):
		k.fail("pagerduty.from", "must be the email address of a PagerDuty user, got %s", quote(pd.From))
	}
	if pd.Region != "us" && pd.Region != "eu" {
		k.fail("pagerduty.region", "must be us or eu, got %s", quote(pd.Region))
	}
	if pd.URL != "" {
		k.checkURL("pagerduty.url", pd.URL)
	}
	k.pagerDutyScope(pd)
	k.nonEmpty("pagerduty.services", pd.Services)
	k.nonEmpty("pagerduty.teams", pd.Teams)
	k.nonEmpty("pagerduty.escalation_policies", pd.EscalationPolicies)
	k.pagerDutyServiceMap(pd)
	if pd.RequestsPerMinute < 1 || pd.RequestsPerMinute > MaxPagerDutyRequests {
		k.fail("pagerduty.requests_per_minute", "must be from 1 to %d (PagerDuty allows 960 a minute for the whole account), got %d",
			MaxPagerDutyRequests, pd.RequestsPerMinute)
	}
	if pd.TokenFile != "" && k.opts.readFiles {
		k.checkTokenFile("pagerduty.token_file", pd.TokenFile)
	}
}

// pagerDutyScope insists on a scope: an account's every incident is rarely what one
// operator means, so asking for it takes a word of its own.
func (k *checker) pagerDutyScope(pd *PagerDuty) {
	narrowed := len(pd.Services) > 0 || len(pd.Teams) > 0 || pd.UserID != ""
	switch {
	case pd.Scope != "" && pd.Scope != ScopeAccount:
		k.fail("pagerduty.scope", "must be account (every incident the token can see), got %s", quote(pd.Scope))
	case pd.Scope == ScopeAccount && (len(pd.Services) > 0 || len(pd.Teams) > 0):
		k.fail("pagerduty.scope", "account watches every incident: remove it, or remove services and teams")
	case !narrowed && pd.Scope == "":
		k.fail("pagerduty", "say what to watch: services, teams or user_id, or scope: account for every incident the token can see")
	}
}

func (k *checker) nonEmpty(path string, list []string) {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			k.fail(fmt.Sprintf("%s[%d]", path, i), "must not be empty")
		}
	}
}

// pagerDutyServiceMap checks that every mapping names a service on each side. A vigil
// service that is not configured is only a warning: the pages still show, beside no
// signals.
func (k *checker) pagerDutyServiceMap(pd *PagerDuty) {
	known := map[string]bool{}
	for _, s := range k.c.Services {
		known[s.Name] = true
	}
	for _, from := range sortedKeys(pd.ServiceMap) {
		to := pd.ServiceMap[from]
		path := "pagerduty.service_map." + from
		switch {
		case strings.TrimSpace(from) == "":
			k.fail("pagerduty.service_map", "a PagerDuty service ID or name must not be empty")
		case strings.TrimSpace(to) == "":
			k.fail(path, "must name a vigil service")
		case len(k.c.Services) > 0 && !known[to]:
			k.warn(path, "%s is not in services: its pages will sit beside no signals", quote(to))
		}
	}
}

// checkTokenFile reads the token file as the source will, and refuses a token others
// could read.
func (k *checker) checkTokenFile(path, file string) {
	if _, ok := k.checkFile(path, file, secretFile); !ok {
		return
	}
	if msg := tokenFileMode(file); msg != "" {
		k.fail(path, "%s", msg)
	}
}
