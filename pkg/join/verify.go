package join

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/clusterclient"
)

// verifyTimeout bounds the wait for new credentials to be accepted: the member's token
// authenticator and RBAC authorizer learn of what join wrote through their caches.
const verifyTimeout = 10 * time.Second

// verifyCredentials reaches the member exactly as propagate will — from the KubeFedCluster join
// is about to store and the token in its Secret, TLS verified against the stored CA bundle —
// and makes the read the federation needs. The error says which of TLS, authentication or
// authorization failed.
func verifyCredentials(ctx context.Context, clusterObj *unstructured.Unstructured, token []byte, read federationRead) error {
	cluster := &apis.KubeFedCluster{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(clusterObj.Object, cluster); err != nil {
		return err
	}
	secret := &corev1.Secret{Data: map[string][]byte{corev1.ServiceAccountTokenKey: token}}
	secret.Name = cluster.Spec.SecretRef.Name
	config, err := clusterclient.Config(cluster, secret)
	if err != nil {
		return err
	}
	config.Timeout = 10 * time.Second
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	endpoint := cluster.Spec.APIEndpoint
	var last error
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, verifyTimeout, true, func(ctx context.Context) (bool, error) {
		last = nil
		if _, err := disco.ServerGroups(); err != nil {
			last = credentialProblem(err, endpoint, "read the API discovery")
		} else if read.resource != "" {
			gvr := schema.GroupVersionResource{Group: read.group, Version: read.version, Resource: read.resource}
			_, err := client.Resource(gvr).Namespace(read.namespace).List(ctx, metav1.ListOptions{Limit: 1})
			if err != nil {
				last = credentialProblem(err, endpoint, read.String())
			}
		}
		var p *problem
		if errors.As(last, &p) && !p.transient {
			return false, last
		}
		return last == nil, nil
	})
	if last != nil {
		return last
	}
	return err
}

// problem is what went wrong with stored credentials; transient ones (the member's caches not
// having caught up with a token or binding written a moment ago) are retried, bounded.
type problem struct {
	transient bool
	msg       string
}

func (p *problem) Error() string { return p.msg }

// credentialProblem says which part of the stored credentials a failed request shows wrong:
// the CA bundle (an x509 error), the token (401) or the grant (403).
func credentialProblem(err error, endpoint, what string) error {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verification):
		return &problem{msg: fmt.Sprintf("the server at %s presented a certificate that the CA bundle join would store does not verify (%s): "+
			"--api-endpoint must be this member's apiserver, and the context's certificate-authority must be the member's CA", endpoint, x509Reason(err))}
	case apierrors.IsUnauthorized(err):
		return &problem{transient: true, msg: fmt.Sprintf("the server at %s does not accept the new service account's token (401 Unauthorized): "+
			"--api-endpoint must reach the member whose token controller issued it, not another cluster", endpoint)}
	case apierrors.IsForbidden(err):
		return &problem{transient: true, msg: fmt.Sprintf("the new service account may not %s at %s (403 Forbidden): the RBAC join wrote does not grant it there; %s",
			what, endpoint, cli.ServerError(err))}
	}
	return &problem{msg: fmt.Sprintf("cannot %s at %s with the credentials join would store: %s", what, endpoint, cli.ServerError(err))}
}

// x509Reason is the certificate error alone, without the URL around it.
func x509Reason(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownAuthority):
		return unknownAuthority.Error()
	case errors.As(err, &hostname):
		return hostname.Error()
	case errors.As(err, &invalid):
		return invalid.Error()
	}
	return err.Error()
}
