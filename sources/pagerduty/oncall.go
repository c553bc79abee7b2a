package pagerduty

import (
	"cmp"
	"context"
	"slices"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/sources"
)

// maxOnCallPages bounds the on-call list: 20 pages of 100 entries are more levels and
// people than a header shows.
const maxOnCallPages = 20

// onCallDue reports whether a poll at now should ask who is on call: on the first
// poll, then every OnCallEvery, and never when there is nobody to ask about.
func (s *Source) onCallDue(now time.Time) bool {
	if len(s.opts.EscalationPolicies) == 0 && s.opts.UserID == "" {
		return false
	}
	return s.onCallAt.IsZero() || now.Sub(s.onCallAt) >= s.opts.OnCallEvery
}

// refreshOnCall asks who is on call now for the configured escalation policies, or
// the operator's own on-call when none are configured. On failure the previous list
// stays.
func (s *Source) refreshOnCall(ctx context.Context, now time.Time, requests *int) error {
	q := pd.ListOnCallOptions{Limit: pageSize, Earliest: true}
	if len(s.opts.EscalationPolicies) > 0 {
		q.EscalationPolicyIDs = s.opts.EscalationPolicies
	} else {
		q.UserIDs = []string{s.opts.UserID}
	}
	var out []sources.OnCall
	for page := 0; page < maxOnCallPages; page++ {
		q.Offset = uint(page * pageSize)
		var resp *pd.ListOnCallsResponse
		err := s.do(ctx, false, func(ctx context.Context) (err error) {
			*requests++
			resp, err = s.client.ListOnCallsWithContext(ctx, q)
			return err
		})
		if err != nil {
			return err
		}
		for _, oc := range resp.OnCalls {
			out = append(out, onCall(oc))
		}
		if !resp.More || len(resp.OnCalls) == 0 {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b sources.OnCall) int {
		return cmp.Or(
			cmp.Compare(a.PolicyName, b.PolicyName),
			cmp.Compare(a.PolicyID, b.PolicyID),
			cmp.Compare(a.Level, b.Level),
			cmp.Compare(a.User.Name, b.User.Name),
		)
	})
	s.onCall, s.onCallAt = slices.Compact(out), now
	return nil
}

func onCall(oc pd.OnCall) sources.OnCall {
	name := oc.User.Summary
	if name == "" {
		name = oc.User.Name
	}
	policy := oc.EscalationPolicy.Summary
	if policy == "" {
		policy = oc.EscalationPolicy.Name
	}
	return sources.OnCall{
		PolicyID:   oc.EscalationPolicy.ID,
		PolicyName: policy,
		Level:      int(oc.EscalationLevel),
		User:       sources.Person{ID: oc.User.ID, Name: name},
		Until:      parseTime(oc.End),
	}
}
