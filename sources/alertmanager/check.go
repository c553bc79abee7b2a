package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/api/v2/models"
)

// Check is `vigil check` for this Alertmanager: it is reachable, accepts the
// configured credentials and speaks API v2. One request (GET /api/v2/status); it
// returns the Alertmanager's version, or one short error naming it.
func (s *Source) Check(ctx context.Context) (version string, err error) {
	budget := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	body, err := s.do(ctx, http.MethodGet, "/api/v2/status", nil)
	if err == nil {
		var st models.AlertmanagerStatus
		if err = json.Unmarshal(body, &st); err == nil {
			if st.VersionInfo == nil || st.VersionInfo.Version == nil {
				err = badf("no versionInfo: is this Alertmanager's API root?")
			} else {
				return clip(*st.VersionInfo.Version), nil
			}
		}
	}
	e := s.fail("status", err, budget).(*amError)
	var se *statusError
	if errors.As(err, &se) {
		switch se.code {
		case http.StatusUnauthorized, http.StatusForbidden:
			e.msg += " (check basic_auth, authorization or http_headers)"
		case http.StatusNotFound:
			e.msg += " (is the url the API root, with any --web.route-prefix?)"
		}
	}
	return "", e
}

// Check checks every Alertmanager of the group at once and returns their versions by
// name; the error lists every one that failed, on one line.
func (g *Group) Check(ctx context.Context) (map[string]string, error) {
	versions := make([]string, len(g.ams))
	errs := make([]error, len(g.ams))
	var wg sync.WaitGroup
	for i, am := range g.ams {
		wg.Go(func() { versions[i], errs[i] = am.Check(ctx) })
	}
	wg.Wait()
	out := map[string]string{}
	for i, am := range g.ams {
		if errs[i] == nil {
			out[am.name] = strings.TrimSpace(versions[i])
		}
	}
	return out, joinErrs("", errs)
}
