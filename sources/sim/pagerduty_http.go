package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// PagerDuty's account-wide REST limit, which its ratelimit-* headers describe.
const (
	pdRateLimit  = 960
	pdRateWindow = time.Minute
	maxBodyBytes = 1 << 20
	// maxRequestLog bounds the request log: a day of a demo polling every 15 s is
	// about 12,000 requests.
	maxRequestLog = 50_000
)

// PagerDuty's error codes and messages for the refusals the simulator makes.
const (
	pdCodeInvalidInput = 2001
	pdCodeUnauthorized = 2006
	pdCodeNoFrom       = 2016
	pdCodeBadFrom      = 1028
	pdCodeNotFound     = 2100
	pdCodeRateLimit    = 2020
	pdCodeInternal     = 2000
	pdMsgNoFrom        = `You must specify a user's email address in the "From" header to perform this action`
)

// pdRequest is one request being answered: the parsed parts handlers need.
type pdRequest struct {
	r    *http.Request
	now  time.Time
	body []byte
	from *PDUser // the From header's user, on writes
	base string  // scheme://host of the simulator, for self links
}

// pdRoute is one endpoint.
type pdRoute struct {
	method, pattern string
	write           bool // needs a From header
	handle          func(p *PagerDuty, q *pdRequest, w http.ResponseWriter)
}

var pdRoutes = []pdRoute{
	{"GET", "/incidents", false, (*PagerDuty).listIncidents},
	{"PUT", "/incidents", true, (*PagerDuty).manageIncidents},
	{"GET", "/incidents/{id}", false, (*PagerDuty).getIncident},
	{"PUT", "/incidents/{id}", true, (*PagerDuty).updateIncident},
	{"POST", "/incidents/{id}/snooze", true, (*PagerDuty).snoozeIncident},
	{"GET", "/incidents/{id}/notes", false, (*PagerDuty).listNotes},
	{"POST", "/incidents/{id}/notes", true, (*PagerDuty).createNote},
	{"GET", "/incidents/{id}/alerts", false, (*PagerDuty).listAlerts},
	{"GET", "/incidents/{id}/log_entries", false, (*PagerDuty).listLogEntries},
	{"GET", "/oncalls", false, (*PagerDuty).listOnCalls},
	{"GET", "/users/me", false, (*PagerDuty).getMe},
}

// serve answers one request: rate limit, then authentication, then the route, with
// the state locked throughout so that every answer is one consistent view.
func (p *PagerDuty) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock()
	p.tick(now)
	defer func() {
		if len(p.requests) >= maxRequestLog {
			p.requests = append(p.requests[:0], p.requests[len(p.requests)-maxRequestLog/2:]...)
		}
		p.requests = append(p.requests, PDRequest{
			At: now, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
			From: r.Header.Get("From"), Body: string(body), Status: rec.status,
		})
	}()
	p.rateHeaders(rec, now)
	if now.Before(p.limitTill) {
		reset := int((p.limitTill.Sub(now) + time.Second - 1) / time.Second)
		rec.Header().Set("ratelimit-remaining", "0")
		rec.Header().Set("ratelimit-reset", strconv.Itoa(reset))
		rec.Header().Set("Retry-After", strconv.Itoa(reset))
		writePDError(rec, http.StatusTooManyRequests, pdCodeRateLimit, "Rate Limit Exceeded")
		return
	}
	if now.Before(p.failTill) {
		writePDError(rec, http.StatusInternalServerError, pdCodeInternal, "Internal Server Error")
		return
	}
	if !p.authorized(r.Header.Get("Authorization")) {
		writePDError(rec, http.StatusUnauthorized, pdCodeUnauthorized, "Invalid Token")
		return
	}
	route, id, ok := matchPDRoute(r.Method, r.URL.Path)
	if !ok {
		writePDError(rec, http.StatusNotFound, pdCodeNotFound, "Not Found")
		return
	}
	if id != "" {
		r.SetPathValue("id", id)
	}
	q := &pdRequest{r: r, now: now, body: body, base: "http://" + r.Host}
	if route.write {
		u, status, code, msg, detail := p.requester(r.Header)
		if u == nil {
			writePDError(rec, status, code, msg, detail...)
			return
		}
		q.from = u
	}
	route.handle(p, q, rec)
}

// matchPDRoute finds the route for a method and path, and the path's {id}.
func matchPDRoute(method, path string) (pdRoute, string, bool) {
	path = strings.TrimSuffix(path, "/")
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, rt := range pdRoutes {
		if rt.method != method {
			continue
		}
		want := strings.Split(strings.TrimPrefix(rt.pattern, "/"), "/")
		if len(want) != len(segs) {
			continue
		}
		id, match := "", true
		for i, w := range want {
			switch {
			case w == "{id}" && segs[i] != "":
				id = segs[i]
			case w != segs[i]:
				match = false
			}
		}
		if match {
			return rt, id, true
		}
	}
	return pdRoute{}, "", false
}

// authorized accepts "Token token=X" (an API key) or "Bearer X" (an OAuth token).
func (p *PagerDuty) authorized(h string) bool {
	var tok string
	switch {
	case strings.HasPrefix(h, "Token token="):
		tok = strings.TrimPrefix(h, "Token token=")
	case strings.HasPrefix(h, "Bearer "):
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	if tok == "" {
		return false
	}
	return p.token == "" || tok == p.token
}

// requester is the user a write's From header names, or the refusal PagerDuty gives.
func (p *PagerDuty) requester(h http.Header) (u *PDUser, status, code int, msg string, detail []string) {
	vals, present := h["From"]
	if !present {
		return nil, http.StatusBadRequest, pdCodeNoFrom, pdMsgNoFrom, nil
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(vals[0]))
	if err != nil {
		return nil, http.StatusBadRequest, pdCodeBadFrom, `Malformed "From" header`, nil
	}
	u, ok := p.userByEmail(addr.Address)
	if !ok {
		return nil, http.StatusBadRequest, pdCodeInvalidInput, "Invalid Input Provided", []string{"Requester User Not Found"}
	}
	return u, 0, 0, "", nil
}

// rateHeaders counts the request against the minute's window and says how much is left.
func (p *PagerDuty) rateHeaders(w http.ResponseWriter, now time.Time) {
	window := now.Truncate(pdRateWindow)
	used := 1
	for i := len(p.requests) - 1; i >= 0 && !p.requests[i].At.Before(window); i-- {
		used++
	}
	w.Header().Set("ratelimit-limit", strconv.Itoa(pdRateLimit))
	w.Header().Set("ratelimit-remaining", strconv.Itoa(max(pdRateLimit-used, 0)))
	w.Header().Set("ratelimit-reset", strconv.Itoa(int(window.Add(pdRateWindow).Sub(now).Seconds()+0.999)))
}

// writePDError writes PagerDuty's error body: {"error":{"message","code","errors"}}.
func writePDError(w http.ResponseWriter, status, code int, msg string, detail ...string) {
	e := map[string]any{"message": msg, "code": code}
	if len(detail) > 0 {
		e["errors"] = detail
	}
	writePDJSON(w, status, map[string]any{"error": e})
}

func writePDJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// decodeBody decodes a JSON request body, refusing it as PagerDuty does when it is
// not JSON of the expected shape.
func decodeBody(q *pdRequest, w http.ResponseWriter, v any) bool {
	if err := json.Unmarshal(q.body, v); err != nil {
		writePDError(w, http.StatusBadRequest, pdCodeInvalidInput, "Invalid Input Provided", "Request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}
