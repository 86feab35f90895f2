package clusterclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
)

// server starts a TLS server whose certificate, signed by a fresh CA, names names and is valid
// from notBefore to notAfter; it returns the server and the CA's PEM.
func server(t *testing.T, names []string, notBefore, notAfter time.Time) (*httptest.Server, []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTemplate := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, NotBefore: time.Now().Add(-48 * time.Hour),
		NotAfter: time.Now().Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	template := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "server"}, NotBefore: notBefore, NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			template.IPAddresses = append(template.IPAddresses, ip)
		} else {
			template.DNSNames = append(template.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}

func cluster(endpoint string, ca []byte, disabled ...string) *apis.KubeFedCluster {
	return &apis.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "east"},
		Spec:       apis.KubeFedClusterSpec{APIEndpoint: endpoint, CABundle: ca, SecretRef: apis.LocalSecretReference{Name: "east-x"}, DisabledTLSValidations: disabled},
	}
}

var secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "east-x"}, Data: map[string][]byte{"token": []byte("secret-token")}}

func get(t *testing.T, config *rest.Config) error {
	t.Helper()
	client, err := rest.HTTPClientFor(config)
	require.NoError(t, err)
	resp, err := client.Get(config.Host + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the token is sent")
	return nil
}

func TestConfigVerifiesTLSAgainstTheCABundle(t *testing.T) {
	srv, ca := server(t, []string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	config, err := Config(cluster(srv.URL, ca), secret)
	require.NoError(t, err)
	assert.NoError(t, get(t, config))

	_, otherCA := server(t, []string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	config, err = Config(cluster(srv.URL, otherCA), secret)
	require.NoError(t, err)
	assert.ErrorContains(t, get(t, config), "certificate signed by unknown authority")
}

func TestConfigDisabledTLSValidations(t *testing.T) {
	wrongName, wrongNameCA := server(t, []string{"elsewhere.example"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	expired, expiredCA := server(t, []string{"127.0.0.1"}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))

	config, err := Config(cluster(wrongName.URL, wrongNameCA), secret)
	require.NoError(t, err)
	assert.Error(t, get(t, config), "a name mismatch fails by default")
	config, err = Config(cluster(wrongName.URL, wrongNameCA, DisableSubjectName), secret)
	require.NoError(t, err)
	assert.NoError(t, get(t, config), "SubjectName disables the name check")
	config, err = Config(cluster(wrongName.URL, []byte(nil), DisableSubjectName), secret)
	require.NoError(t, err)
	assert.Error(t, get(t, config), "SubjectName still verifies the chain")

	config, err = Config(cluster(expired.URL, expiredCA), secret)
	require.NoError(t, err)
	assert.Error(t, get(t, config), "an expired certificate fails by default")
	config, err = Config(cluster(expired.URL, expiredCA, DisableValidityPeriod), secret)
	require.NoError(t, err)
	assert.NoError(t, get(t, config), "ValidityPeriod disables the expiry check")

	config, err = Config(cluster(wrongName.URL, nil, DisableAll), secret)
	require.NoError(t, err)
	assert.True(t, config.Insecure)
	assert.NoError(t, get(t, config))
}

func TestConfigProxyAndErrors(t *testing.T) {
	c := cluster("https://east.example:6443", nil)
	c.Spec.ProxyURL = "socks5://proxy.example:1080"
	config, err := Config(c, secret)
	require.NoError(t, err)
	proxy, err := config.Proxy(&http.Request{})
	require.NoError(t, err)
	assert.Equal(t, "socks5://proxy.example:1080", proxy.String())

	c.Spec.ProxyURL = "ftp://proxy.example"
	_, err = Config(c, secret)
	assert.ErrorContains(t, err, "must use http, https or socks5")
	_, err = Config(cluster("", nil), secret)
	assert.ErrorContains(t, err, "has no spec.apiEndpoint")
	_, err = Config(cluster("https://x", nil), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "east-x"}})
	assert.ErrorContains(t, err, "has no token")
	_, err = Config(cluster("https://x", nil, "Everything"), secret)
	assert.ErrorContains(t, err, `holds "Everything"`)
}
