// Package clusterclient builds the clients that reach member clusters through the credentials a
// join stored in the host: a KubeFedCluster and its Secret, as kubefed's controllers did,
// disabledTLSValidations and proxyURL included.
package clusterclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// TLS validations a KubeFedCluster may disable.
const (
	DisableAll            = "*"
	DisableSubjectName    = "SubjectName"
	DisableValidityPeriod = "ValidityPeriod"
)

// Config is the client configuration for a member: its endpoint, CA bundle and the token from the
// Secret the cluster's secretRef names.
func Config(cluster *apis.KubeFedCluster, secret *corev1.Secret) (*rest.Config, error) {
	if cluster.Spec.APIEndpoint == "" {
		return nil, fmt.Errorf("cluster %q has no spec.apiEndpoint", cluster.Name)
	}
	if cluster.Spec.SecretRef.Name == "" {
		return nil, fmt.Errorf("cluster %q has no spec.secretRef.name", cluster.Name)
	}
	token := secret.Data["token"]
	if len(token) == 0 {
		return nil, fmt.Errorf("the secret %q of cluster %q has no token (run kubefedctl join again)", secret.Name, cluster.Name)
	}
	config := &rest.Config{
		Host:            cluster.Spec.APIEndpoint,
		BearerToken:     string(token),
		TLSClientConfig: rest.TLSClientConfig{CAData: cluster.Spec.CABundle},
	}
	if cluster.Spec.ProxyURL != "" {
		proxy, err := url.Parse(cluster.Spec.ProxyURL)
		if err != nil {
			return nil, fmt.Errorf("cluster %q: spec.proxyURL %q: %w", cluster.Name, cluster.Spec.ProxyURL, err)
		}
		switch proxy.Scheme {
		case "http", "https", "socks5":
		default:
			return nil, fmt.Errorf("cluster %q: spec.proxyURL %q must use http, https or socks5", cluster.Name, cluster.Spec.ProxyURL)
		}
		config.Proxy = http.ProxyURL(proxy)
	}
	disabled := map[string]bool{}
	for _, v := range cluster.Spec.DisabledTLSValidations {
		switch v {
		case DisableAll, DisableSubjectName, DisableValidityPeriod:
			disabled[v] = true
		default:
			return nil, fmt.Errorf("cluster %q: spec.disabledTLSValidations holds %q; use *, SubjectName or ValidityPeriod", cluster.Name, v)
		}
	}
	switch {
	case disabled[DisableAll]:
		config.TLSClientConfig = rest.TLSClientConfig{Insecure: true}
	case disabled[DisableSubjectName] || disabled[DisableValidityPeriod]:
		transport, err := customTLSTransport(cluster, config.Proxy, disabled)
		if err != nil {
			return nil, err
		}
		config.TLSClientConfig = rest.TLSClientConfig{}
		config.Transport = transport
	}
	return config, nil
}

// customTLSTransport verifies the server's chain against the cluster's CA bundle but skips what
// the cluster disabled: the host name, or the validity period (checked as of the certificate's
// start, as kubefed did).
func customTLSTransport(cluster *apis.KubeFedCluster, proxy func(*http.Request) (*url.URL, error), disabled map[string]bool) (http.RoundTripper, error) {
	roots := x509.NewCertPool()
	if len(cluster.Spec.CABundle) > 0 && !roots.AppendCertsFromPEM(cluster.Spec.CABundle) {
		return nil, fmt.Errorf("cluster %q: spec.caBundle holds no PEM certificate", cluster.Name)
	}
	endpoint, err := url.Parse(cluster.Spec.APIEndpoint)
	if err != nil {
		return nil, fmt.Errorf("cluster %q: spec.apiEndpoint: %w", cluster.Name, err)
	}
	serverName := endpoint.Hostname()
	tlsConfig := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // verified below, without what the cluster disabled
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the server sent no certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, der := range raw {
				c, err := x509.ParseCertificate(der)
				if err != nil {
					return err
				}
				certs[i] = c
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, c := range certs[1:] {
				opts.Intermediates.AddCert(c)
			}
			if !disabled[DisableSubjectName] {
				opts.DNSName = serverName
			}
			if disabled[DisableValidityPeriod] {
				opts.CurrentTime = certs[0].NotBefore.Add(time.Second)
			}
			_, err := certs[0].Verify(opts)
			return err
		},
	}
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	return &http.Transport{
		Proxy:               proxy,
		TLSClientConfig:     tlsConfig,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 25,
	}, nil
}
