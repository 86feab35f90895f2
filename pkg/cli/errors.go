package cli

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ServerError words an API error as kubectl does: Error from server (Forbidden): ...
func ServerError(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		if s.Reason != "" {
			return fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message)
		}
		return fmt.Sprintf("Error from server: %s", s.Message)
	}
	return err.Error()
}
