package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/prometheus/alertmanager/api/v2/models"

	"github.com/vigil-sre/vigil/sources"
)

// CreateSilence posts one silence to every Alertmanager of the group, concurrently,
// and returns the ID each gave it (Alertmanagers that are not clustered give different
// IDs to the same silence). A silence must reach every replica: one held by only some
// does not hide the alert (see merge). When some fail, the returned map still holds
// the IDs of those that took it, and the error names each that did not with
// Alertmanager's own message.
func (g *Group) CreateSilence(ctx context.Context, matchers []sources.Matcher, startsAt, endsAt time.Time, createdBy, comment string) (map[string]string, error) {
	return g.CreateSilenceOn(ctx, nil, matchers, startsAt, endsAt, createdBy, comment)
}

// CreateSilenceOn is CreateSilence on the named Alertmanagers only (nil: every one):
// a retry where a silence did not reach every replica, without a second copy where
// it did.
func (g *Group) CreateSilenceOn(ctx context.Context, names []string, matchers []sources.Matcher, startsAt, endsAt time.Time, createdBy, comment string) (map[string]string, error) {
	if len(matchers) == 0 {
		return nil, errors.New("silence: no matchers (it would mute everything)")
	}
	if !endsAt.After(startsAt) {
		return nil, errors.New("silence: it must end after it starts")
	}
	s := models.PostableSilence{Silence: models.Silence{
		Matchers:  make(models.Matchers, 0, len(matchers)),
		StartsAt:  dateTime(startsAt),
		EndsAt:    dateTime(endsAt),
		CreatedBy: &createdBy,
		Comment:   &comment,
	}}
	for _, m := range matchers {
		s.Matchers = append(s.Matchers, &models.Matcher{Name: &m.Name, Value: &m.Value, IsRegex: &m.IsRegex, IsEqual: &m.IsEqual})
	}
	body, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("silence: %w", err)
	}
	ids := make([]string, len(g.ams))
	errs := make([]error, len(g.ams))
	var wg sync.WaitGroup
	skip := func(am *Source) bool { return names != nil && !slices.Contains(names, am.name) }
	for i, am := range g.ams {
		if !skip(am) {
			wg.Go(func() { ids[i], errs[i] = am.createSilence(ctx, body) })
		}
	}
	wg.Wait()
	out := make(map[string]string, len(g.ams))
	for i, am := range g.ams {
		if errs[i] == nil && !skip(am) {
			out[am.name] = ids[i]
		}
	}
	return out, joinErrs("", errs)
}

func dateTime(t time.Time) *strfmt.DateTime {
	d := strfmt.DateTime(t)
	return &d
}

func (s *Source) createSilence(ctx context.Context, body []byte) (string, error) {
	out, err := s.do(ctx, http.MethodPost, "/api/v2/silences", body)
	if err != nil {
		return "", s.fail("create silence", err, 0)
	}
	var ok struct {
		ID *string `json:"silenceID"`
	}
	if err := json.Unmarshal(out, &ok); err != nil || ok.ID == nil || *ok.ID == "" {
		err = badf("no silence ID in the answer")
		return "", s.fail("create silence", err, 0)
	}
	return *ok.ID, nil
}

// ExpireSilence expires silence id on every Alertmanager of the group that holds it
// (DELETE /api/v2/silence/{id}, concurrently). An Alertmanager that does not know the
// ID is skipped; it is an error only when none knows it. Expiring a silence that has
// already expired succeeds. Errors name each Alertmanager and its message.
func (g *Group) ExpireSilence(ctx context.Context, id string) error {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return fmt.Errorf("expire silence %q: not a silence ID", clip(id))
	}
	errs := make([]error, len(g.ams))
	held := make([]bool, len(g.ams))
	var wg sync.WaitGroup
	for i, am := range g.ams {
		wg.Go(func() { held[i], errs[i] = am.expireSilence(ctx, id) })
	}
	wg.Wait()
	if err := joinErrs("", errs); err != nil {
		return err
	}
	for _, h := range held {
		if h {
			return nil
		}
	}
	return fmt.Errorf("expire silence %s: no alertmanager holds it", clip(id))
}

// expireSilence expires id on this Alertmanager; held is false when it does not know
// the ID.
func (s *Source) expireSilence(ctx context.Context, id string) (held bool, err error) {
	_, err = s.do(ctx, http.MethodDelete, "/api/v2/silence/"+url.PathEscape(id), nil)
	var st *statusError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &st) && (st.code == http.StatusNotFound || st.reason == "silence not found"):
		// 404 since Alertmanager 0.27; a 500 with this message before.
		return false, nil
	case errors.As(err, &st) && strings.Contains(st.reason, "already expired"):
		return true, nil
	}
	return false, s.fail("expire silence "+clip(id), err, 0)
}
