package join

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// derived is what a join gives a KubeFedCluster from its flags and the member's context.
type derived struct {
	// labels are --labels; endpointFlag is --api-endpoint, empty when not given.
	labels       map[string]string
	endpointFlag string
	// From the member's context (the CA possibly from the token Secret).
	contextEndpoint string
	caBundle        []byte
	insecure        bool
	proxyURL        string
	secretName      string
}

// registration decides the KubeFedCluster a join applies over existing, the one registered now
// (nil on a first join): what the user set there (labels, endpoint, CA bundle, disabled TLS
// validations, proxy) is kept unless a flag changes it: --labels sets the labels it names and
// keeps the others, --api-endpoint sets the endpoint; the CA bundle, disabled TLS validations
// and proxy come from the context only where the registration has none. kept says, for each
// kept value the context would have given otherwise, what was kept and how to change it.
func registration(n names, d derived, existing *unstructured.Unstructured) (*unstructured.Unstructured, []string) {
	var kept []string
	endpoint := d.endpointFlag
	if endpoint == "" {
		endpoint = d.contextEndpoint
	}
	caBundle, proxyURL := d.caBundle, d.proxyURL
	var disabledTLS []string
	if d.insecure {
		// kubefed's mark of a context with insecure-skip-tls-verify.
		disabledTLS = []string{"*"}
	}
	labels := map[string]string{}
	if existing != nil {
		for k, v := range existing.GetLabels() {
			labels[k] = v
		}
		spec, _, _ := unstructured.NestedMap(existing.Object, "spec")
		if have, _ := spec["apiEndpoint"].(string); have != "" && d.endpointFlag == "" {
			if have != endpoint {
				kept = append(kept, fmt.Sprintf("spec.apiEndpoint %s as registered (context gives %s; --api-endpoint changes it)", have, endpoint))
			}
			endpoint = have
		}
		if have, _ := spec["caBundle"].(string); have != "" {
			if decoded, err := base64.StdEncoding.DecodeString(have); err == nil {
				if len(caBundle) > 0 && !bytes.Equal(decoded, caBundle) {
					kept = append(kept, "spec.caBundle as registered (the context's CA differs; unjoin and join again to take it)")
				}
				caBundle = decoded
			}
		}
		if have, _, _ := unstructured.NestedStringSlice(existing.Object, "spec", "disabledTLSValidations"); len(have) > 0 {
			if !reflect.DeepEqual(have, disabledTLS) {
				kept = append(kept, fmt.Sprintf("spec.disabledTLSValidations %v as registered (the context verifies TLS)", have))
			}
			disabledTLS = have
		}
		if have, _ := spec["proxyURL"].(string); have != "" {
			if proxyURL != "" && proxyURL != have {
				kept = append(kept, fmt.Sprintf("spec.proxyURL %s as registered (context gives %s)", have, proxyURL))
			}
			proxyURL = have
		}
	}
	for k, v := range d.labels {
		labels[k] = v
	}
	return kubeFedCluster(n, endpoint, caBundle, d.secretName, disabledTLS, proxyURL, labels), kept
}
