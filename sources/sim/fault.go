package sim

import (
	"net/http"
	"strconv"
	"time"
)

// FaultMode is a way the simulated server misbehaves, for testing how a client
// copes. Faults apply to /api/v1/ endpoints only; /-/ready and /-/healthy stay
// healthy, as they do when a real server's queries fail behind a proxy.
type FaultMode int

const (
	FaultNone    FaultMode = iota
	FaultHTTP500           // 500 with a Prometheus "internal" error body
	FaultGarbage           // 200, Content-Type application/json, a body that is not JSON
	FaultHuge              // 200 with a body of exactly Fault.Size bytes: a valid-looking JSON prefix that never closes
	FaultDelay             // wait Fault.Delay (or until the client gives up), then answer normally
	FaultNaN               // answer queries normally but with every value NaN
)

// DefaultHugeSize is the body size of FaultHuge when Fault.Size is zero.
const DefaultHugeSize = 16 << 20

// GarbageBody is what FaultGarbage answers.
const GarbageBody = "<html><body>502 Bad Gateway</body></html>\n\x00\xff{\"status\":"

// Fault is the misbehaviour in force; the zero Fault is none.
type Fault struct {
	Mode  FaultMode
	Delay time.Duration // for FaultDelay
	Size  int           // for FaultHuge; DefaultHugeSize when zero
}

// SetFault puts f in force for every request from now on.
func (s *PrometheusServer) SetFault(f Fault) { s.fault.Store(&f) }

// Fault is the fault in force.
func (s *PrometheusServer) Fault() Fault {
	if f := s.fault.Load(); f != nil {
		return *f
	}
	return Fault{}
}

// intercept answers the request itself when the fault replaces the answer, and
// reports whether it did.
func (f Fault) intercept(w http.ResponseWriter, r *http.Request) bool {
	switch f.Mode {
	case FaultHTTP500:
		writeError(w, &apiError{errInternal, errInjected})
		return true
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(GarbageBody))
		return true
	case FaultHuge:
		writeHuge(w, f.Size)
		return true
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // nobody is listening any more
		}
	}
	return false
}

type injected struct{}

func (injected) Error() string { return "simulated fault: internal server error" }

var errInjected error = injected{}

// writeHuge streams size bytes without holding them: the opening of a vector
// result followed by samples, cut off mid-way.
func writeHuge(w http.ResponseWriter, size int) {
	if size <= 0 {
		size = DefaultHugeSize
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(http.StatusOK)
	head := []byte(`{"status":"success","data":{"resultType":"vector","result":[`)
	item := []byte(`{"metric":{"__name__":"padding","job":"huge"},"value":[1700000000,"1"]},`)
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, head...)
	for size > 0 {
		for len(buf)+len(item) <= cap(buf) {
			buf = append(buf, item...)
		}
		n := min(len(buf), size)
		if _, err := w.Write(buf[:n]); err != nil {
			return
		}
		size -= n
		buf = buf[:0]
	}
}
