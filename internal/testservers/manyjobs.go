package testservers

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// ManyJobs writes, in the OpenMetrics text Backfill reads, the history of `jobs`
// services named job-00000, job-00001, … from start to end at one sample a step:
// for each, http_requests_total with code 200 and 500, and the buckets le="0.25"
// and le="+Inf" and the count of http_request_duration_seconds. Values are in closed form (see
// ManyJobsRate) and small in number, so that a Prometheus holding 10,000 jobs
// backfills in seconds.
func ManyJobs(jobs int, start, end time.Time, step time.Duration) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	series := func(name, labels string, perSecond float64) {
		prefix := name + "{" + labels + "} "
		for at := start; !at.After(end); at = at.Add(step) {
			w.WriteString(prefix)
			w.WriteString(strconv.FormatFloat(perSecond*at.Sub(start).Seconds(), 'g', -1, 64))
			w.WriteByte(' ')
			w.WriteString(strconv.FormatInt(at.Unix(), 10))
			w.WriteByte('\n')
		}
	}
	w.WriteString("# HELP http_requests Synthetic requests.\n# TYPE http_requests counter\n")
	for j := range jobs {
		job := ManyJobsName(j)
		ok, failed := ManyJobsRate(j)
		series("http_requests_total", fmt.Sprintf(`job=%q,code="200"`, job), ok)
		series("http_requests_total", fmt.Sprintf(`job=%q,code="500"`, job), failed)
	}
	w.WriteString("# HELP http_request_duration_seconds_bucket Synthetic latency buckets.\n# TYPE http_request_duration_seconds_bucket unknown\n")
	for j := range jobs {
		job := ManyJobsName(j)
		ok, failed := ManyJobsRate(j)
		fast := 0.5 + 0.45*float64(j%10)/10 // the share under 250ms
		series("http_request_duration_seconds_bucket", fmt.Sprintf(`job=%q,le="0.25"`, job), fast*(ok+failed))
		series("http_request_duration_seconds_bucket", fmt.Sprintf(`job=%q,le="+Inf"`, job), ok+failed)
	}
	w.WriteString("# HELP http_request_duration_seconds_count Synthetic latency count.\n# TYPE http_request_duration_seconds_count unknown\n")
	for j := range jobs {
		ok, failed := ManyJobsRate(j)
		series("http_request_duration_seconds_count", fmt.Sprintf(`job=%q`, ManyJobsName(j)), ok+failed)
	}
	w.WriteString("# EOF\n")
	w.Flush()
	return buf.Bytes()
}

// ManyJobsName is the name of the j-th job of ManyJobs.
func ManyJobsName(j int) string { return fmt.Sprintf("job-%05d", j) }

// ManyJobsRate is the j-th job's rate of good and of failed requests per second.
func ManyJobsRate(j int) (ok, failed float64) {
	return 1 + float64(j%10), 0.01 * float64(1+j%7)
}
