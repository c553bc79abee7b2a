package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Stamped at release time with -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// buildStamp is what `vigil version` and the dashboard's header say about the binary.
type buildStamp struct {
	Version, Commit, Date string
}

// String is the `vigil version` line.
func (b buildStamp) String() string {
	return fmt.Sprintf("vigil %s (commit %s, built %s)", b.Version, b.Commit, b.Date)
}

// Short is the version the dashboard shows: a release's version, or for a
// development build (no tag: "dev" or a pseudo-version such as
// v0.0.0-20261127130842-6fc188b12345) "dev" and its commit, so two dev builds on two
// bastions can be told apart in a few cells.
func (b buildStamp) Short() string {
	dev := b.Version == "dev" || pseudoVersionRevision(b.Version) != ""
	switch {
	case dev && b.Commit != "none":
		return "dev " + b.Commit
	case dev:
		return "dev"
	}
	return b.Version
}

// currentBuild is the stamp of the running binary.
func currentBuild() buildStamp {
	info, _ := debug.ReadBuildInfo()
	return resolveBuild(buildStamp{Version: version, Commit: commit, Date: date}, info)
}

// resolveBuild fills in what the release ldflags did not set from the build info the
// go command embeds: `go install module@v1.2.3` records the module version, and a
// build from a git checkout records vcs.revision, vcs.time and vcs.modified. The
// ldflags win where they were set, since a release build knows best.
func resolveBuild(ld buildStamp, info *debug.BuildInfo) buildStamp {
	b := ld
	if info == nil {
		return b
	}
	if b.Version == "dev" {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
	}
	var revision, vcsTime string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if b.Commit == "none" {
		if revision == "" {
			revision = pseudoVersionRevision(b.Version)
		}
		if revision != "" {
			b.Commit = shortRevision(revision)
			if modified {
				b.Commit += "+dirty"
			}
		}
	}
	if b.Date == "unknown" && vcsTime != "" {
		b.Date = vcsTime
	}
	return b
}

// shortRevision is the first 12 hex digits of a commit hash, as Go's pseudo-versions
// spell it.
func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// pseudoVersionRevision is the commit named by a pseudo-version such as
// v0.0.0-20261127130842-6fc188b12345 (what `go install module@commit` records), or "".
func pseudoVersionRevision(v string) string {
	v, _, _ = strings.Cut(v, "+") // +incompatible, +dirty
	i := strings.LastIndexByte(v, '-')
	if i < 0 {
		return ""
	}
	rev := v[i+1:]
	if len(rev) != 12 || strings.Trim(rev, "0123456789abcdef") != "" {
		return ""
	}
	// The segment before the revision is a 14-digit UTC timestamp, possibly after a
	// dot (v1.2.4-0.20261127130842-6fc188b12345).
	rest := v[:i]
	j := strings.LastIndexAny(rest, "-.")
	if j < 0 || len(rest)-j-1 != 14 || strings.Trim(rest[j+1:], "0123456789") != "" {
		return ""
	}
	return rev
}
