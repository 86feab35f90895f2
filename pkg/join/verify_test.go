package join

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestCredentialProblem(t *testing.T) {
	const endpoint = "https://127.0.0.1:6443"
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: endpoint + "/api", Err: err} }
	tests := []struct {
		name      string
		err       error
		transient bool
		contains  string
	}{
		{"unknown authority", urlErr(fmt.Errorf("tls: failed to verify certificate: %w", x509.UnknownAuthorityError{})), false,
			"the server at https://127.0.0.1:6443 presented a certificate that the CA bundle join would store does not verify (x509: certificate signed by unknown authority)"},
		{"wrong host name", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.1"}), false, "does not verify (x509: cannot validate certificate for 10.0.0.1"},
		{"expired", urlErr(x509.CertificateInvalidError{Reason: x509.Expired}), false, "does not verify (x509: certificate has expired"},
		{"401", apierrors.NewUnauthorized("Unauthorized"), true, "does not accept the new service account's token (401 Unauthorized): --api-endpoint must reach the member"},
		{"403", apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "", errors.New("no")), true, "the new service account may not list namespaces at https://127.0.0.1:6443 (403 Forbidden)"},
		{"unreachable", urlErr(errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")), false, "cannot list namespaces at https://127.0.0.1:6443 with the credentials join would store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := credentialProblem(tt.err, endpoint, "list namespaces")
			var p *problem
			require.True(t, errors.As(got, &p))
			assert.Equal(t, tt.transient, p.transient)
			assert.Contains(t, got.Error(), tt.contains)
		})
	}
}
