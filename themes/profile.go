package themes

import (
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
	"github.com/xo/terminfo"
)

// DetectProfile chooses the colour profile to draw with on output, from the
// environment env (os.Environ's form). It is colorprofile.Detect, stricter where
// that would send colour to a terminal that cannot show it:
//
//   - NO_COLOR set to anything but "" means no colour (no-color.org; colorprofile
//     only honours values that parse as true);
//   - TERM unset, empty or "dumb" means no colour;
//   - a terminal whose terminfo entry has fewer than 8 colours (vt100, vt220) means
//     no colour: colorprofile treats every named TERM as 16-colour, and inside
//     tmux as 256-colour, whatever the terminal behind it can do.
//
// "No colour" is colorprofile.ASCII: bold, faint, underline and reverse video still
// work, so the mono theme's selection and severity shapes survive.
func DetectProfile(output io.Writer, env []string) colorprofile.Profile {
	f, ok := output.(term.File)
	isTTY := ok && term.IsTerminal(f.Fd())
	return chooseProfile(env, isTTY, terminfoColors, func() colorprofile.Profile {
		return colorprofile.Detect(output, env)
	})
}

// chooseProfile is DetectProfile with the terminal test, the terminfo lookup and
// the fallback detection passed in, so a table test can drive it. colors returns
// the terminfo colour count of a terminal type and false when terminfo does not
// know it.
func chooseProfile(env []string, isTTY bool, colors func(term string) (int, bool), detect func() colorprofile.Profile) colorprofile.Profile {
	if !isTTY {
		return colorprofile.NoTTY
	}
	vars := environ(env)
	termName := vars["TERM"]
	switch n, known := colors(termName); {
	case vars["NO_COLOR"] != "", termName == "", termName == "dumb", known && n < 8:
		return colorprofile.ASCII
	}
	return max(detect(), colorprofile.ASCII)
}

// environ turns KEY=value pairs into a map; a later pair wins, as in a process.
func environ(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// terminfoColors reads the max_colors capability of a terminal type from the
// system's terminfo database; -1 when the entry has none (a monochrome terminal).
func terminfoColors(termName string) (int, bool) {
	ti, err := terminfo.Load(termName)
	if err != nil {
		return 0, false
	}
	return ti.Num(terminfo.MaxColors), true
}
