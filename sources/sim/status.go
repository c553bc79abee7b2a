package sim

import (
	"math"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// The status endpoints say what a client checks before trusting a server: its
// version, and a retention long enough for the SLO windows it will ask about.

type buildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	Branch    string `json:"branch"`
	BuildUser string `json:"buildUser"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
}

func (s *PrometheusServer) buildInfo(*http.Request) (result, *apiError) {
	return result{data: buildInfo{
		Version: Version, Revision: "vigil-sim", Branch: "HEAD", BuildUser: "vigil@sim",
		BuildDate: "20260101-00:00:00", GoVersion: runtime.Version(),
	}}, nil
}

type runtimeInfo struct {
	StartTime           time.Time `json:"startTime"`
	CWD                 string    `json:"CWD"`
	Hostname            string    `json:"hostname"`
	ServerTime          time.Time `json:"serverTime"`
	ReloadConfigSuccess bool      `json:"reloadConfigSuccess"`
	LastConfigTime      time.Time `json:"lastConfigTime"`
	CorruptionCount     int64     `json:"corruptionCount"`
	GoroutineCount      int       `json:"goroutineCount"`
	GOMAXPROCS          int       `json:"GOMAXPROCS"`
	GOMEMLIMIT          int64     `json:"GOMEMLIMIT"`
	GOGC                string    `json:"GOGC"`
	GODEBUG             string    `json:"GODEBUG"`
	StorageRetention    string    `json:"storageRetention"`
}

func (s *PrometheusServer) runtimeInfo(*http.Request) (result, *apiError) {
	return result{data: runtimeInfo{
		StartTime: s.started.UTC(), CWD: "/prometheus", Hostname: "vigil-sim", ServerTime: s.clock().UTC(),
		ReloadConfigSuccess: true, LastConfigTime: s.started.UTC(), GoroutineCount: runtime.NumGoroutine(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), GOMEMLIMIT: math.MaxInt64, StorageRetention: retentionLabel,
	}}, nil
}

func (s *PrometheusServer) flags(*http.Request) (result, *apiError) {
	return result{data: map[string]string{
		"config.file":                 "/etc/prometheus/prometheus.yml",
		"query.lookback-delta":        model.Duration(lookbackDelta).String(),
		"query.max-samples":           strconv.Itoa(maxSamples),
		"query.timeout":               model.Duration(queryTimeout).String(),
		"storage.tsdb.path":           "data/",
		"storage.tsdb.retention.size": "0B",
		"storage.tsdb.retention.time": retentionLabel,
		"web.listen-address":          "0.0.0.0:9090",
	}}, nil
}
