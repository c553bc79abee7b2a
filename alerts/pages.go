package alerts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/sources"
)

// buildPages lists the open PagerDuty incidents of every PagerDuty source, worst
// first, lifts each onto the actionable list, and gathers who is on call.
func buildPages(b *Board, snap sources.Snapshot) {
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Pages == nil {
			continue
		}
		d := st.Last.Data.Pages
		for _, in := range d.Incidents {
			p := Page{
				ID: in.ID, Number: in.Number, Title: in.Title, Status: in.Status, Urgency: in.Urgency,
				Priority: in.Priority, Service: in.Service, Assignees: []string{}, CreatedAt: in.CreatedAt,
				URL: in.URL, Source: st.Health.Name, EscalationPolicyID: in.EscalationPolicyID,
				EscalationLevel: in.EscalationLevel, LastStatusChangeAt: in.LastStatusChangeAt, UpdatedAt: in.UpdatedAt,
			}
			if p.Service == "" {
				p.Service = in.ServiceName
			}
			for _, a := range in.Assignees {
				p.Assignees = append(p.Assignees, a.Name)
				p.AssigneeIDs = append(p.AssigneeIDs, a.ID)
			}
			b.Pages = append(b.Pages, p)
		}
		for _, oc := range d.OnCall {
			b.OnCall = append(b.OnCall, OnCall{Policy: oc.PolicyName, Level: oc.Level, Person: oc.User.Name, Until: oc.Until})
		}
	}
	slices.SortFunc(b.Pages, comparePages)
	slices.SortStableFunc(b.OnCall, func(x, y OnCall) int {
		if c := cmp.Compare(x.Policy, y.Policy); c != 0 {
			return c
		}
		return cmp.Compare(x.Level, y.Level)
	})
	for _, p := range b.Pages {
		b.Actionable = append(b.Actionable, pageItem(p))
	}
}

// comparePages orders pages as a responder works them: triggered before
// acknowledged, high urgency first, then the oldest; the ID keeps it total.
func comparePages(x, y Page) int {
	if c := cmp.Compare(statusRank(x.Status), statusRank(y.Status)); c != 0 {
		return c
	}
	if c := cmp.Compare(urgencyRank(x.Urgency), urgencyRank(y.Urgency)); c != 0 {
		return c
	}
	if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

func statusRank(s string) int {
	if s == "triggered" {
		return 0
	}
	return 1
}

func urgencyRank(u string) int {
	if u == "high" {
		return 0
	}
	return 1
}

// pageItem is an open incident as an actionable item: a high-urgency page is
// critical, a low-urgency one a warning; since is when it was created.
func pageItem(p Page) Item {
	sev := SeverityWarning
	if p.Urgency == "high" {
		sev = SeverityCritical
	}
	labels := map[string]string{"incident": fmt.Sprint(p.Number), "urgency": p.Urgency}
	if p.Service != "" {
		labels["service"] = p.Service
	}
	title := fmt.Sprintf("#%d %s", p.Number, p.Title)
	if len(p.Assignees) > 0 {
		title += " (" + strings.Join(p.Assignees, ", ") + ")"
	}
	return Item{Kind: "page", ID: p.ID, Title: title, Severity: sev, Labels: labels, Since: p.CreatedAt, Status: p.Status}
}

// sortActionable puts the actionable list in the order of Item.Rank, oldest first
// within a rank, then by ID: the same order for the same Board, every time.
func sortActionable(items []Item) {
	slices.SortStableFunc(items, func(x, y Item) int {
		if c := cmp.Compare(x.Rank(), y.Rank()); c != 0 {
			return c
		}
		if x.Kind == "page" && y.Kind == "page" {
			if c := x.Since.Compare(y.Since); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(x.Title, y.Title); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
}
