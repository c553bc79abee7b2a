package alerts

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/sources"
)

// Silence is one active or pending Alertmanager silence, as the silences pane and
// the snapshot show it.
type Silence struct {
	ID string `json:"id"`
	// IDs are all its IDs: unclustered Alertmanagers each hold a copy of a silence
	// posted to all of them under an ID of their own. Expiring it expires every one.
	IDs           []string  `json:"ids"`
	Matchers      string    `json:"matchers"` // in Alertmanager's syntax: {alertname="X",service=~"a|b"}
	State         string    `json:"state"`    // active | pending
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	CreatedBy     string    `json:"created_by"`
	Comment       string    `json:"comment"`
	Alertmanagers []string  `json:"alertmanagers"`
	// EndsSoon: it lapses within SilenceEndsSoon, and what it hides comes back.
	EndsSoon bool `json:"ends_soon"`
	// Subject names what it silences in a few words, for one-line mentions: the
	// values its equality matchers select, alertname first ("HighLatency
	// checkout"); the matchers when none is an equality.
	Subject string `json:"-"`
}

// SilenceEndsSoon is how close to its end a silence is listed as expiring soon.
const SilenceEndsSoon = 30 * time.Minute

// buildSilences lists the active and pending silences of every alert source, the one
// ending first on top; expired ones are history, not shown.
func buildSilences(b *Board, snap sources.Snapshot, now time.Time) {
	seen := map[string]bool{}
	for _, st := range snap.Sources {
		if st.Last == nil || st.Last.Data.Alerts == nil {
			continue
		}
		for _, s := range st.Last.Data.Alerts.Silences {
			if s.State == "expired" || seen[s.ID] || (!s.EndsAt.IsZero() && !s.EndsAt.After(now)) {
				continue
			}
			seen[s.ID] = true
			text := MatcherText(s.Matchers)
			if parsed, err := labels.ParseMatchers(text); err == nil {
				if b.silenceMatchers == nil {
					b.silenceMatchers = map[string]labels.Matchers{}
				}
				b.silenceMatchers[s.ID] = parsed
			}
			b.Silences = append(b.Silences, Silence{
				ID: s.ID, IDs: idsOf(s), Matchers: text, State: s.State, StartsAt: s.StartsAt, EndsAt: s.EndsAt,
				CreatedBy: s.CreatedBy, Comment: s.Comment, Alertmanagers: slices.Clone(s.Sources),
				EndsSoon: s.State == "active" && s.EndsAt.Sub(now) <= SilenceEndsSoon,
				Subject:  silenceSubject(s.Matchers),
			})
		}
	}
	slices.SortFunc(b.Silences, func(x, y Silence) int {
		if c := x.EndsAt.Compare(y.EndsAt); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
}

// silenceSubject is Silence.Subject.
func silenceSubject(ms []sources.Matcher) string {
	var words []string
	for _, m := range ms {
		if m.IsEqual && !m.IsRegex && m.Value != "" {
			if m.Name == "alertname" {
				words = append([]string{m.Value}, words...)
			} else {
				words = append(words, m.Value)
			}
		}
	}
	if len(words) == 0 {
		return MatcherText(ms)
	}
	return strings.Join(words, " ")
}

// MatcherText writes matchers in Alertmanager's syntax.
func MatcherText(ms []sources.Matcher) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		op := "="
		switch {
		case m.IsRegex && m.IsEqual:
			op = "=~"
		case m.IsRegex:
			op = "!~"
		case !m.IsEqual:
			op = "!="
		}
		b.WriteString(m.Name + op + strconv.Quote(m.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// idsOf is every ID of s, never empty.
func idsOf(s sources.Silence) []string {
	if len(s.IDs) == 0 {
		return []string{s.ID}
	}
	return slices.Clone(s.IDs)
}
