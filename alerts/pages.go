package alerts

import (
	"cmp"
	"slices"
	"strconv"
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
		b.Pages = slices.Grow(b.Pages, len(d.Incidents))
		for i := range d.Incidents {
			in := &d.Incidents[i]
			p := Page{
				ID: in.ID, Number: in.Number, Title: in.Title, Status: in.Status, Urgency: in.Urgency,
				Priority: in.Priority, Service: in.Service, Assignees: make([]string, 0, len(in.Assignees)), CreatedAt: in.CreatedAt,
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
	sortPages(b.Pages)
	slices.SortStableFunc(b.OnCall, func(x, y OnCall) int {
		if c := cmp.Compare(x.Policy, y.Policy); c != 0 {
			return c
		}
		return cmp.Compare(x.Level, y.Level)
	})
	// The page items come out in the actionable order already (comparePages sorts
	// by the same keys as Item.Rank for pages): Build merges them with the rest.
	b.pageItems = make([]Item, len(b.Pages))
	for i := range b.Pages {
		b.pageItems[i] = pageItem(&b.Pages[i])
	}
}

// sortPages sorts pages through their indices: a Page is a large struct, and 1,000
// of them swapped in place cost more than the comparisons.
func sortPages(pages []Page) {
	if slices.IsSortedFunc(pages, func(x, y Page) int { return comparePages(&x, &y) }) {
		return // as the source sent them: nothing to move
	}
	idx := make([]int, len(pages))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int { return comparePages(&pages[x], &pages[y]) })
	sorted := make([]Page, len(pages))
	for i, j := range idx {
		sorted[i] = pages[j]
	}
	copy(pages, sorted)
}

// comparePages orders pages as a responder works them: triggered before
// acknowledged, high urgency first, then the oldest; the ID keeps it total.
func comparePages(x, y *Page) int {
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
func pageItem(p *Page) Item {
	sev := SeverityWarning
	if p.Urgency == "high" {
		sev = SeverityCritical
	}
	number := strconv.Itoa(p.Number)
	labels := map[string]string{"incident": number, "urgency": p.Urgency}
	if p.Service != "" {
		labels["service"] = p.Service
	}
	title := "#" + number + " " + p.Title
	if len(p.Assignees) > 0 {
		title += " (" + strings.Join(p.Assignees, ", ") + ")"
	}
	return Item{Kind: "page", ID: p.ID, Title: title, Severity: sev, Labels: labels, Since: p.CreatedAt, Status: p.Status}
}

// sortActionable puts the actionable list in the order of Item.Rank, oldest first
// within a rank, then by title and ID: the same order for the same Board, every
// time. pages are already in that order and are merged in, so a thousand open pages
// are never re-sorted with the few SLO items.
func sortActionable(items, pages []Item) []Item {
	slices.SortFunc(items, compareItems)
	out := make([]Item, 0, len(items)+len(pages))
	i, j := 0, 0
	for i < len(items) && j < len(pages) {
		if compareItems(pages[j], items[i]) < 0 {
			out = append(out, pages[j])
			j++
		} else {
			out = append(out, items[i])
			i++
		}
	}
	out = append(out, items[i:]...)
	return append(out, pages[j:]...)
}

// compareItems is the actionable order. IDs are unique, so it is total.
func compareItems(x, y Item) int {
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
}
