package alerts

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/format"
	"github.com/vigil-sre/vigil/slo"
	"github.com/vigil-sre/vigil/sources"
)

// buildSLOs evaluates every SLO from its source's latest counts and lifts those that
// should page (and, below ordinary warnings, those that should be ticketed) onto the
// actionable list.
func buildSLOs(b *Board, rules []SLORule, bySource map[string]*sources.SourceState) {
	for _, r := range rules {
		var (
			counts    map[time.Duration]slo.Counts
			retention time.Duration
			since     time.Time
			stale     bool
			errText   string
			coverage  *time.Duration
		)
		queries := r.Queries
		if st := bySource[r.Source]; st != nil && st.Last != nil && st.Last.Data.SLOs != nil {
			d := st.Last.Data.SLOs
			if q, ok := d.Queries[r.Def.Name]; ok {
				queries = q
			}
			counts, retention, since, errText = d.Counts[r.Def.Name], d.Retention, st.Last.Eval, d.Err
			stale = d.Err != "" || (st.Health.Polled && !st.Health.OK)
			if f, ok := d.Failed[r.Def.Name]; ok {
				// Only this SLO's own queries failed: the others are fresh. Its counts,
				// if any, are from an earlier poll; none means there never were any.
				errText, stale = f.Err, f.Stale
				if !f.Stale {
					counts = nil
				}
			}
			if errText == "" && stale {
				errText = st.Health.LastError
			}
			if c, ok := d.Coverage[r.Def.Name]; ok {
				coverage = &c
			}
		}
		st := sloStatus(r.Def, slo.Evaluate(r.Def, counts), retention)
		st.Queries, st.Stale, st.Error = queries, stale, errText
		if coverage != nil {
			c := min(*coverage, r.Def.Window)
			st.CoverageSeconds = Num(c.Seconds())
			st.Partial = c < r.Def.Window
		}
		b.SLOs = append(b.SLOs, st)
		if s := b.SLOs[len(b.SLOs)-1]; s.Alert != LevelNone {
			b.Actionable = append(b.Actionable, sloItem(s, since))
		}
	}
	slices.SortStableFunc(b.SLOs, func(x, y SLOStatus) int {
		if c := cmp.Compare(x.State.Rank(), y.State.Rank()); c != 0 {
			return c
		}
		if c := cmpBudget(x.BudgetRemaining, y.BudgetRemaining); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
}

// number is an slo.Value as an output number: nil when unknown.
func number(v slo.Value) *Number {
	if !v.OK {
		return nil
	}
	return Num(v.V)
}

func sloStatus(def slo.Definition, st slo.Status, retention time.Duration) SLOStatus {
	s := SLOStatus{
		Name:              def.Name,
		Service:           def.Service,
		Objective:         Number(def.Objective),
		Window:            slo.WindowName(def.Window),
		WindowSeconds:     Number(def.Window.Seconds()),
		ErrorRatio:        number(st.WindowErrorRatio),
		BudgetRemaining:   number(st.BudgetRemaining),
		BurnRates:         make(map[string]*Number, slo.NumWindows),
		Alert:             levelOf(string(st.Alert)),
		ExhaustionSeconds: number(st.ExhaustionSeconds),
		State:             SLOState(st.State),
		RetentionExceeded: retention > 0 && def.Window > retention,
		Origin:            def.Origin,
	}
	for i, w := range slo.Windows {
		s.BurnRates[slo.WindowName(w)] = number(st.BurnRate[i])
	}
	s.BurnLevels = make(map[string]Level, len(st.Conditions))
	s.Spent = st.ExhaustionSeconds.OK && st.ExhaustionSeconds.V <= 0
	for _, c := range st.Conditions {
		level := levelOf(string(c.Alert))
		over := func(v slo.Value) Level {
			if c.Skipped || !v.OK || !(v.V > c.Factor) {
				return LevelNone
			}
			return level
		}
		long := slo.WindowName(c.Long)
		s.BurnLevels[long] = max(s.BurnLevels[long], over(c.LongBurn))
		s.Conditions = append(s.Conditions, Condition{
			Alert:      level,
			LongLevel:  over(c.LongBurn),
			ShortLevel: over(c.ShortBurn),
			Long:       slo.WindowName(c.Long),
			Short:      slo.WindowName(c.Short),
			Factor:     Number(c.Factor),
			LongBurn:   number(c.LongBurn),
			ShortBurn:  number(c.ShortBurn),
			Firing:     c.Firing,
			Skipped:    c.Skipped,
		})
	}
	return s
}

// sloItem is an SLO burning fast enough to page or ticket, as an actionable item.
func sloItem(s SLOStatus, since time.Time) Item {
	title := fmt.Sprintf("%s: error budget burning", s.Name)
	for _, c := range s.Conditions {
		if lb, ok := c.LongBurn.Get(); c.Firing && ok {
			title = fmt.Sprintf("%s: burning error budget %s over %s (%s threshold %s)", s.Name, format.Burn(lb), c.Long, s.Alert, format.Burn(float64(c.Factor)))
			break
		}
	}
	labels := map[string]string{"slo": s.Name}
	if s.Service != "" {
		labels["service"] = s.Service
	}
	if s.Stale {
		title += " (stale: " + s.Error + ")"
	}
	sev := SeverityTicket
	if s.Alert == LevelPage {
		sev = SeverityPage
	}
	return Item{Kind: "slo", ID: "slo:" + s.Name, Title: title, Severity: sev, Labels: labels, Since: since}
}

// cmpBudget sorts less budget first; unknown budget last.
func cmpBudget(x, y *Number) int {
	a, okA := x.Get()
	b, okB := y.Get()
	switch {
	case !okA && !okB:
		return 0
	case !okA:
		return 1
	case !okB:
		return -1
	}
	return cmp.Compare(a, b)
}
