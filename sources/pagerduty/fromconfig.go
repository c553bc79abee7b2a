package pagerduty

import (
	"fmt"

	"github.com/vigil-sre/vigil/internal/config"
)

// FromConfig builds the source of a validated pagerduty section: it reads the token
// and names the vigil services pages may sit beside. readOnly is --read-only, which
// disables writes whatever the file says.
func FromConfig(c *config.PagerDuty, vigilServices []string, readOnly bool) (*Source, error) {
	token, err := c.ReadToken()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return New(Options{
		Token:              token,
		URL:                c.APIURL(),
		From:               c.From,
		ReadOnly:           c.ReadOnly || readOnly,
		Services:           c.Services,
		Teams:              c.Teams,
		UserID:             c.UserID,
		Account:            c.Scope == config.ScopeAccount,
		EscalationPolicies: c.EscalationPolicies,
		ServiceMap:         c.ServiceMap,
		VigilServices:      vigilServices,
		RequestsPerMinute:  c.RequestsPerMinute,
	})
}
