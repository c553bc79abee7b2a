package config

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

const (
	fromRequired  = "required: PagerDuty names the user every acknowledge, resolve, snooze and note is made as (an email address); or set read_only: true"
	scopeRequired = "say what to watch: services, teams or user_id, or scope: account for every incident the token can see"
)

func TestPagerDutyErrors(t *testing.T) {
	// pd is a valid section from line 4; each case appends lines from line 7 on.
	const pd = "pagerduty:\n  token_env: PD\n  from: oncall@example.com\n"
	tests := []struct {
		name, in, want string
	}{
		{"no from", "pagerduty:\n  token_env: PD\n  services: [P1]\n",
			"config.yaml:4: pagerduty.from: " + fromRequired},
		{"from not an email", "pagerduty:\n  token_env: PD\n  from: oncall\n  services: [P1]\n",
			`config.yaml:6: pagerduty.from: must be the email address of a PagerDuty user, got "oncall"`},
		{"no scope", pd,
			"config.yaml:4: pagerduty: " + scopeRequired},
		{"read_only still needs a scope", "pagerduty:\n  token_env: PD\n  read_only: true\n",
			"config.yaml:4: pagerduty: " + scopeRequired},
		{"unknown scope", pd + "  scope: everything\n",
			`config.yaml:7: pagerduty.scope: must be account (every incident the token can see), got "everything"`},
		{"account with services", pd + "  scope: account\n  services: [P1]\n",
			"config.yaml:7: pagerduty.scope: account watches every incident: remove it, or remove services and teams"},
		{"empty entries", pd + "  services: ['']\n  teams: [' ']\n  escalation_policies: [EP1, '']\n",
			"config.yaml:7: pagerduty.services[0]: must not be empty\n" +
				"config.yaml:8: pagerduty.teams[0]: must not be empty\n" +
				"config.yaml:9: pagerduty.escalation_policies[1]: must not be empty"},
		{"budget too high", pd + "  user_id: PU1\n  requests_per_minute: 960\n",
			"config.yaml:8: pagerduty.requests_per_minute: must be from 1 to 480 (PagerDuty allows 960 a minute for the whole account), got 960"},
		{"budget zero", pd + "  user_id: PU1\n  requests_per_minute: 0\n",
			"config.yaml:8: pagerduty.requests_per_minute: must be from 1 to 480 (PagerDuty allows 960 a minute for the whole account), got 0"},
		{"service_map to nothing", pd + "  user_id: PU1\n  service_map: {PSVC1: ''}\n",
			"config.yaml:8: pagerduty.service_map.PSVC1: must name a vigil service"},
		{"bad region and url", pd + "  user_id: PU1\n  region: ap\n  url: ftp://x\n",
			"config.yaml:8: pagerduty.region: must be us or eu, got \"ap\"\n" +
				`config.yaml:9: pagerduty.url: must be an http:// or https:// URL, got "ftp://x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("config.yaml", []byte(base+tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want:\n%s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPagerDutyValid(t *testing.T) {
	in := base + `services:
  - name: checkout
    traffic: sum(rate(x[5m]))
pagerduty:
  token_env: PD
  from: oncall@example.com
  region: eu
  teams: [PTEAM1]
  user_id: PUSER1
  escalation_policies: [PEP1]
  service_map: {PSVC1: checkout, Payments API: payments}
  requests_per_minute: 120
`
	c, err := Parse("config.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &PagerDuty{
		TokenEnv: "PD", From: "oncall@example.com", Region: "eu",
		Teams: []string{"PTEAM1"}, UserID: "PUSER1", EscalationPolicies: []string{"PEP1"},
		ServiceMap:        map[string]string{"PSVC1": "checkout", "Payments API": "payments"},
		RequestsPerMinute: 120,
	}
	if !reflect.DeepEqual(c.PagerDuty, want) {
		t.Errorf("pagerduty = %+v\nwant %+v", c.PagerDuty, want)
	}
	if got := c.PagerDuty.APIURL(); got != "https://api.eu.pagerduty.com" {
		t.Errorf("APIURL = %q", got)
	}
	wantWarn := []string{`config.yaml:14: pagerduty.service_map.Payments API: "payments" is not in services: its pages will sit beside no signals`}
	if !reflect.DeepEqual(c.Warnings, wantWarn) {
		t.Errorf("warnings = %q\nwant %q", c.Warnings, wantWarn)
	}

	ro, err := Parse("config.yaml", []byte(base+"pagerduty: {token_env: PD, read_only: true, scope: account, url: 'http://127.0.0.1:9/'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ro.PagerDuty.APIURL(); got != "http://127.0.0.1:9" {
		t.Errorf("APIURL with url = %q", got)
	}
	us := PagerDuty{Region: "us"}
	if got := us.APIURL(); got != "https://api.pagerduty.com" {
		t.Errorf("APIURL us = %q", got)
	}
}

func TestPagerDutyReadToken(t *testing.T) {
	const secret = "Canary-PD-Token-7"
	t.Setenv("VIGIL_TEST_PD", "  "+secret+"\n")
	if got, err := (&PagerDuty{TokenEnv: "VIGIL_TEST_PD"}).ReadToken(); err != nil || got != secret {
		t.Errorf("ReadToken from env = %q, %v", got, err)
	}
	t.Setenv("VIGIL_TEST_PD_EMPTY", "")
	_, err := (&PagerDuty{TokenEnv: "VIGIL_TEST_PD_EMPTY"}).ReadToken()
	if err == nil || err.Error() != "pagerduty.token_env: $VIGIL_TEST_PD_EMPTY is not set or empty" {
		t.Errorf("ReadToken from an empty env = %v", err)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "pd-token")
	write(t, file, secret+"\n", 0o600)
	if got, err := (&PagerDuty{TokenFile: file}).ReadToken(); err != nil || got != secret {
		t.Errorf("ReadToken from a file = %q, %v", got, err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(file, 0o640); err != nil {
			t.Fatal(err)
		}
		_, err := (&PagerDuty{TokenFile: file}).ReadToken()
		want := "pagerduty.token_file: " + file + " is accessible by group or others (mode 0640): chmod 600 " + file
		if err == nil || err.Error() != want {
			t.Errorf("ReadToken of a readable file = %v\nwant %s", err, want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the token")
		}
	}
}
