package app

import "fmt"

// ExitError carries the process exit code of the CLI contract: 1 for a runtime
// failure, 2 for bad usage or config. Err may be nil when the output already said why.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

func usageError(err error) error   { return &ExitError{Code: 2, Err: err} }
func runtimeError(err error) error { return &ExitError{Code: 1, Err: err} }
