package config

import (
	"fmt"
	"os"
	"strings"
)

// Token reads the PagerDuty token the config names: from the environment variable
// token_env, or from token_file, a regular file of at most MaxSecretBytes that only
// its owner may read (Load has checked that already; it is checked again here, as the
// file may have changed since). The error never holds the token.
func (p *PagerDuty) Token() (string, error) {
	if p.TokenEnv != "" {
		t := strings.TrimSpace(os.Getenv(p.TokenEnv))
		if t == "" {
			return "", fmt.Errorf("pagerduty.token_env: $%s is empty or not set", p.TokenEnv)
		}
		return t, nil
	}
	if fi, err := os.Stat(p.TokenFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("pagerduty.token_file: %s can be read by others (mode %04o): chmod 600 it", p.TokenFile, fi.Mode().Perm())
	}
	b, err := readFile(p.TokenFile, secretFile)
	if err != nil {
		return "", fmt.Errorf("pagerduty.token_file: %s", fileMessage(err))
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("pagerduty.token_file: %s is empty", p.TokenFile)
	}
	return t, nil
}
