package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
)

// parseTime reads a time parameter as Prometheus does: Unix seconds with an
// optional fraction (rounded to milliseconds), or RFC 3339.
func parseTime(s string) (time.Time, error) {
	if t, err := strconv.ParseFloat(s, 64); err == nil {
		sec, ns := math.Modf(t)
		ns = math.Round(ns*1000) / 1000
		return time.Unix(int64(sec), int64(ns*float64(time.Second))).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", s)
}

// parseDuration reads a duration parameter as Prometheus does: seconds as a float,
// or a Prometheus duration such as 5m.
func parseDuration(s string) (time.Duration, error) {
	if d, err := strconv.ParseFloat(s, 64); err == nil {
		ts := d * float64(time.Second)
		if math.IsNaN(ts) || ts >= float64(math.MaxInt64) || ts < float64(math.MinInt64) {
			return 0, fmt.Errorf("cannot parse %q to a valid duration. It overflows int64", s)
		}
		return time.Duration(ts), nil
	}
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	return 0, fmt.Errorf("cannot parse %q to a valid duration", s)
}

func writeError(w http.ResponseWriter, e *apiError) {
	b, err := json.Marshal(struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}{"error", e.typ, e.err.Error()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status())
	_, _ = w.Write(b)
}

func writeSuccess(w http.ResponseWriter, res result) {
	b := []byte(`{"status":"success","data":`)
	if qd, ok := res.data.(*queryData); ok {
		b = appendQueryData(b, qd)
	} else {
		d, err := json.Marshal(res.data)
		if err != nil {
			writeError(w, &apiError{errInternal, fmt.Errorf("encoding response: %w", err)})
			return
		}
		b = append(b, d...)
	}
	warnings, infos := res.warnings.AsStrings(res.query, 10, 10)
	b = appendStrings(b, "warnings", warnings)
	b = appendStrings(b, "infos", infos)
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func appendStrings(b []byte, key string, ss []string) []byte {
	if len(ss) == 0 {
		return b
	}
	b = append(b, `,"`+key+`":[`...)
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendQueryData writes {"resultType":...,"result":...} as Prometheus's JSON
// codec does: sample timestamps as Unix seconds with milliseconds, values as
// strings ("NaN", "+Inf" included), labels as an object.
func appendQueryData(b []byte, qd *queryData) []byte {
	b = append(b, `{"resultType":`...)
	b = appendString(b, string(qd.value.Type()))
	b = append(b, `,"result":`...)
	switch v := qd.value.(type) {
	case promql.Vector:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"metric":`...)
			b = appendLabels(b, s.Metric)
			b = append(b, `,"value":`...)
			b = appendPoint(b, s.T, s.F)
			b = append(b, '}')
		}
		b = append(b, ']')
	case promql.Matrix:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"metric":`...)
			b = appendLabels(b, s.Metric)
			if len(s.Floats) > 0 {
				b = append(b, `,"values":[`...)
				for j, p := range s.Floats {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendPoint(b, p.T, p.F)
				}
				b = append(b, ']')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	case promql.Scalar:
		// Scalars and strings go through their own MarshalJSON in Prometheus, which
		// formats both the time and the value differently from samples.
		b = append(b, '[')
		b = appendJSON(b, float64(v.T)/1000)
		b = append(b, ',')
		b = appendJSON(b, strconv.FormatFloat(v.V, 'f', -1, 64))
		b = append(b, ']')
	case promql.String:
		b = append(b, '[')
		b = appendJSON(b, float64(v.T)/1000)
		b = append(b, ',')
		b = appendJSON(b, v.V)
		b = append(b, ']')
	default:
		b = append(b, "null"...)
	}
	return append(b, '}')
}

func appendLabels(b []byte, ls labels.Labels) []byte {
	b = append(b, '{')
	first := true
	ls.Range(func(l labels.Label) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, l.Name)
		b = append(b, ':')
		b = appendString(b, l.Value)
	})
	return append(b, '}')
}

func appendPoint(b []byte, t int64, f float64) []byte {
	b = append(b, '[')
	b = appendTimestamp(b, t)
	b = append(b, ',', '"')
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	return append(b, '"', ']')
}

// appendTimestamp writes milliseconds as seconds: 1435781451.781, 1435781451.5 as
// 1435781451.500, whole seconds without a fraction.
func appendTimestamp(b []byte, t int64) []byte {
	if t < 0 {
		b = append(b, '-')
		t = -t
	}
	b = strconv.AppendInt(b, t/1000, 10)
	if frac := t % 1000; frac != 0 {
		b = append(b, '.')
		if frac < 100 {
			b = append(b, '0')
		}
		if frac < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendInt(b, frac, 10)
	}
	return b
}

func appendString(b []byte, s string) []byte { return appendJSON(b, s) }

// appendJSON encodes a string or a finite float as encoding/json does, which is
// what Prometheus's codec does for them.
func appendJSON(b []byte, v any) []byte {
	q, err := json.Marshal(v)
	if err != nil { // only NaN and infinities fail, and no caller passes them
		return append(b, "null"...)
	}
	return append(b, q...)
}
