package alerts

import (
	"maps"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/sources"
)

// subjectTokens reads Alertmanager's default PagerDuty subject,
// `[FIRING:3] HighLatency checkout (prod warning)`: the group labels' values, then
// in parentheses the other labels common to the group. It returns every value as a
// word, or nil when the title is not such a subject (or names no value).
func subjectTokens(title string) []string {
	rest, ok := strings.CutPrefix(title, "[FIRING:")
	if !ok {
		return nil
	}
	_, rest, ok = strings.Cut(rest, "] ")
	if !ok {
		return nil
	}
	group, common := rest, ""
	if open := strings.LastIndex(rest, " ("); open >= 0 && strings.HasSuffix(rest, ")") {
		group, common = rest[:open], rest[open+2:len(rest)-1]
	}
	tokens := append(strings.Fields(group), strings.Fields(common)...)
	if len(tokens) == 0 {
		return nil
	}
	return tokens
}

// hasWord reports whether some label value is w or holds w as a word.
func hasWord(lbls map[string]string, w string) bool {
	for _, v := range lbls {
		if v == w {
			return true
		}
		if strings.Contains(v, w) && strings.Contains(v, " ") && slices.Contains(strings.Fields(v), w) {
			return true
		}
	}
	return false
}

// joinPages folds each actionable alert that an open page's alerts name into that
// page's row (its Members and Count), lists it on the page (Page.Joined), and reports
// which were folded. An alert two pages name goes to the more urgent, the one earlier
// in the actionable list. It returns nil, at no cost, when no page can claim an alert.
func joinPages(b *Board, alerts []*sources.Alert, verdicts []verdict) []bool {
	pageOf := make(map[string]int, len(b.Pages))
	for i := range b.Pages {
		pageOf[b.Pages[i].ID] = i
	}
	bySet := map[string][]pageSet{}      // alertname -> the label sets that carry it
	byWord := map[string][]subjectPage{} // a subject's first word -> its pages
	for i := range b.Actionable {
		it := &b.Actionable[i]
		if it.Kind != "page" {
			continue
		}
		p, ok := pageOf[it.ID]
		if !ok {
			continue
		}
		// A page whose alerts are not read yet (the request budget decides when), or
		// carried no label set we could read (a custom template), is joined by its
		// title instead.
		if pg := &b.Pages[p]; pg.alertsKnown && len(pg.alertLabels) > 0 {
			for _, ls := range pg.alertLabels {
				bySet[ls["alertname"]] = append(bySet[ls["alertname"]], pageSet{i, ls})
			}
			continue
		}
		if tokens := subjectTokens(b.Pages[p].Title); tokens != nil {
			byWord[tokens[0]] = append(byWord[tokens[0]], subjectPage{i, tokens})
		}
	}
	if len(bySet) == 0 && len(byWord) == 0 {
		return nil
	}
	joined := make([]bool, len(alerts))
	for i, a := range alerts {
		if verdicts[i].reason >= 0 {
			continue // a hidden reason wins over the page
		}
		page := -1
		if len(bySet) > 0 {
			for _, ps := range bySet[verdicts[i].name] {
				if (page < 0 || ps.item < page) && maps.Equal(ps.labels, a.Labels) {
					page = ps.item
				}
			}
		}
		if page < 0 && len(byWord) > 0 {
			for _, v := range a.Labels {
				for _, sp := range byWord[v] {
					if (page < 0 || sp.item < page) && matchesSubject(a.Labels, sp.tokens) {
						page = sp.item
					}
				}
			}
		}
		if page < 0 {
			continue
		}
		it := &b.Actionable[page]
		if len(it.Members) == 0 {
			it.Members = nil // never append to the shared empty slice
		}
		it.Members = append(it.Members, a.Fingerprint)
		it.Count++
		if verdicts[i].flapping {
			it.Flapping = true
		}
		pg := &b.Pages[pageOf[it.ID]]
		pg.Joined = append(pg.Joined, JoinedAlert{
			Fingerprint: a.Fingerprint, Name: verdicts[i].name, Labels: labelsOf(a), State: a.State,
			Since: a.StartsAt, Severity: verdicts[i].sev, Flapping: verdicts[i].flapping,
		})
		joined[i] = true
	}
	return joined
}

// pageSet is one label set a page's alerts carry, and the page's row.
type pageSet struct {
	item   int
	labels map[string]string
}

// subjectPage is a page joined by its title's words, and the page's row.
type subjectPage struct {
	item   int
	tokens []string
}

func matchesSubject(lbls map[string]string, tokens []string) bool {
	for _, w := range tokens {
		if !hasWord(lbls, w) {
			return false
		}
	}
	return true
}
