package main

import (
	"os/exec"
	"regexp"
	"runtime/debug"
	"testing"
	"time"
)

func TestResolveBuild(t *testing.T) {
	unset := buildStamp{Version: "dev", Commit: "none", Date: "unknown"}
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		ld   buildStamp
		info *debug.BuildInfo
		want string
	}{
		{"no build info", unset, nil, "vigil dev (commit none, built unknown)"},
		{"go test or go run", unset, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "vigil dev (commit none, built unknown)"},
		{
			"go install module@v1.2.3",
			unset, &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			"vigil v1.2.3 (commit none, built unknown)",
		},
		{
			"go install module@commit: the pseudo-version names the commit",
			unset, &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261127130842-6fc188b12345"}},
			"vigil v0.0.0-20261127130842-6fc188b12345 (commit 6fc188b12345, built unknown)",
		},
		{
			"pseudo-version after a tag",
			unset, &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261127130842-6fc188b12345"}},
			"vigil v1.2.4-0.20261127130842-6fc188b12345 (commit 6fc188b12345, built unknown)",
		},
		{
			"go build in a clean checkout",
			unset, &debug.BuildInfo{
				Main:     debug.Module{Version: "(devel)"},
				Settings: vcs("vcs", "git", "vcs.revision", "6fc188b1234567890abcdef1234567890abcdef0", "vcs.time", "2026-11-27T13:08:42Z", "vcs.modified", "false"),
			},
			"vigil dev (commit 6fc188b12345, built 2026-11-27T13:08:42Z)",
		},
		{
			"go build in a checkout with local changes",
			unset, &debug.BuildInfo{
				Main:     debug.Module{Version: "v0.0.0-20261127130842-6fc188b12345+dirty"},
				Settings: vcs("vcs.revision", "6fc188b1234567890abcdef1234567890abcdef0", "vcs.time", "2026-11-27T13:08:42Z", "vcs.modified", "true"),
			},
			"vigil v0.0.0-20261127130842-6fc188b12345+dirty (commit 6fc188b12345+dirty, built 2026-11-27T13:08:42Z)",
		},
		{
			"release ldflags win",
			buildStamp{Version: "1.4.0", Commit: "abc1234", Date: "2026-11-01T00:00:00Z"},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: vcs("vcs.revision", "ffffffffffffffff", "vcs.time", "2026-10-31T00:00:00Z")},
			"vigil 1.4.0 (commit abc1234, built 2026-11-01T00:00:00Z)",
		},
		{
			"a version that only looks like a pseudo-version",
			unset, &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0-rc-6fc188b12345"}},
			"vigil v1.0.0-rc-6fc188b12345 (commit none, built unknown)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolveBuild(tt.ld, tt.info).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestBuildStampShort(t *testing.T) {
	for _, tt := range []struct {
		b    buildStamp
		want string
	}{
		{buildStamp{"dev", "none", "unknown"}, "dev"},
		{buildStamp{"dev", "6fc188b12345", "x"}, "dev 6fc188b12345"},
		{buildStamp{"v1.2.3", "none", "unknown"}, "v1.2.3"},
		{buildStamp{"v0.0.0-20261127130842-6fc188b12345+dirty", "6fc188b12345+dirty", "x"}, "dev 6fc188b12345+dirty"},
		{buildStamp{"v1.2.4-0.20261127130842-6fc188b12345", "none", "unknown"}, "dev"},
	} {
		if got := tt.b.Short(); got != tt.want {
			t.Errorf("%+v.Short() = %q, want %q", tt.b, got, tt.want)
		}
	}
}

// TestVersionOfABuiltBinary builds vigil from this checkout as a user would and
// checks that `vigil version` names a commit of this repository and its time.
// (Not necessarily HEAD: others may commit while the test runs.)
func TestVersionOfABuiltBinary(t *testing.T) {
	if err := exec.Command("git", "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("SKIPPING: not a git checkout (%v)", err)
	}
	bin := buildVigil(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("vigil version: %v", err)
	}
	m := regexp.MustCompile(`^vigil \S+ \(commit ([0-9a-f]{12})(\+dirty)?, built (\S+)\)\n$`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("vigil version = %q, want a commit and a build time", out)
	}
	if err := exec.Command("git", "rev-parse", "--verify", "--quiet", m[1]+"^{commit}").Run(); err != nil {
		t.Errorf("vigil version names commit %s, which this repository does not have", m[1])
	}
	if _, err := time.Parse(time.RFC3339, m[3]); err != nil {
		t.Errorf("build time %q: %v", m[3], err)
	}
}
