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
	// Every open incident of every source, by reference, sorted before anything is
	// copied: a thousand pages are built once, in their final order.
	type ref struct {
		in      *sources.Incident
		source  string
		rank    int   // status and urgency, as compareIncidents orders them
		created int64 // UnixNano
	}
	var refs []ref
	people := 0
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Pages == nil {
			continue
		}
		d := st.Last.Data.Pages
		for i := range d.Incidents {
			in := &d.Incidents[i]
			refs = append(refs, ref{in, st.Health.Name, 2*statusRank(in.Status) + urgencyRank(in.Urgency), in.CreatedAt.UnixNano()})
			people += len(d.Incidents[i].Assignees)
		}
		for _, oc := range d.OnCall {
			o := OnCall{Policy: oc.PolicyName, Level: oc.Level, Person: oc.User.Name}
			if !oc.Until.IsZero() {
				until := oc.Until
				o.Until = &until
			}
			b.OnCall = append(b.OnCall, o)
		}
	}
	if len(refs) == 0 {
		return
	}
	// The order a responder works pages in: triggered before acknowledged, high
	// urgency first, then the oldest; the ID keeps it total. Keys computed once.
	slices.SortFunc(refs, func(x, y ref) int {
		if c := cmp.Compare(x.rank, y.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(x.created, y.created); c != 0 {
			return c
		}
		return cmp.Compare(x.in.ID, y.in.ID)
	})
	// The assignees' names and IDs of all pages share two backing arrays.
	names, ids := make([]string, 0, people), make([]string, 0, people)
	b.Pages = make([]Page, len(refs))
	b.pageItems = make([]Item, len(refs))
	for i, r := range refs {
		in := r.in
		p := &b.Pages[i]
		*p = Page{
			ID: in.ID, Number: in.Number, Title: in.Title, Status: in.Status, Urgency: in.Urgency,
			Priority: in.Priority, Service: in.Service, CreatedAt: in.CreatedAt,
			URL: in.URL, Source: r.source, EscalationPolicyID: in.EscalationPolicyID,
			EscalationLevel: in.EscalationLevel, LastStatusChangeAt: in.LastStatusChangeAt, UpdatedAt: in.UpdatedAt,
			alertLabels: in.AlertLabels, alertsKnown: in.AlertsKnown,
		}
		if !in.AckLapsesAt.IsZero() {
			at := in.AckLapsesAt
			p.AckLapsesAt = &at
		}
		if p.Service == "" {
			p.Service = in.ServiceName
		}
		start := len(names)
		for _, a := range in.Assignees {
			names, ids = append(names, a.Name), append(ids, a.ID)
		}
		p.Assignees, p.AssigneeIDs = names[start:len(names):len(names)], ids[start:len(ids):len(ids)]
		// The page items come out in the actionable order already (the same keys as
		// Item.Rank for pages): Build merges them with the rest.
		b.pageItems[i] = pageItem(p)
	}
	slices.SortStableFunc(b.OnCall, func(x, y OnCall) int {
		if c := cmp.Compare(x.Policy, y.Policy); c != 0 {
			return c
		}
		return cmp.Compare(x.Level, y.Level)
	})
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

// noLabels is the labels of every page item: an incident has none of its own (its
// service, urgency and number are in pages[] under the same ID). One shared, never
// written map, so JSON shows {} and a thousand pages allocate none.
var noLabels = map[string]string{}

// pageItem is an open incident as an actionable item: a high-urgency page is
// critical, a low-urgency one a warning; since is when it was created.
func pageItem(p *Page) Item {
	sev := SeverityWarning
	if p.Urgency == "high" {
		sev = SeverityCritical
	}
	var title strings.Builder
	title.Grow(12 + len(p.Title))
	title.WriteByte('#')
	var digits [20]byte
	title.Write(strconv.AppendInt(digits[:0], int64(p.Number), 10))
	title.WriteByte(' ')
	title.WriteString(p.Title)
	return Item{Kind: "page", ID: p.ID, Title: title.String(), Severity: sev, Labels: noLabels, Since: p.CreatedAt, Status: p.Status}
}

// sortActionable puts the actionable list in the order of Item.Rank, oldest first
// within a rank, then by title and ID: the same order for the same Board, every
// time. pages are already in that order and are merged in, so a thousand open pages
// are never re-sorted with the few SLO items.
func sortActionable(items, pages []Item) []Item {
	if len(items) == 0 {
		return pages
	}
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
