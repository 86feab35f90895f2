package join

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestRegistration(t *testing.T) {
	n := names{cluster: "member1", hostCluster: "host", namespace: "kube-federation-system"}
	context := derived{contextEndpoint: "https://127.0.0.1:6443", caBundle: []byte("context CA"), secretName: "member1-abcde"}
	with := func(f func(*derived)) derived {
		d := context
		f(&d)
		return d
	}
	registered := func(labels map[string]string, spec map[string]any) *unstructured.Unstructured {
		full := map[string]any{"apiEndpoint": "https://127.0.0.1:6443", "caBundle": base64.StdEncoding.EncodeToString([]byte("context CA")), "secretRef": map[string]any{"name": "member1-abcde"}}
		for k, v := range spec {
			full[k] = v
		}
		obj := object("core.kubefed.io/v1beta1", "KubeFedCluster", n.namespace, n.cluster, map[string]any{"spec": full})
		obj.SetLabels(labels)
		return obj
	}
	tests := []struct {
		name       string
		d          derived
		existing   *unstructured.Unstructured
		wantLabels map[string]string
		wantSpec   map[string]any
		wantKept   []string
	}{
		{
			name: "a first join takes the flags and the context",
			d: with(func(d *derived) {
				d.labels = map[string]string{"region": "us"}
				d.insecure = true
				d.proxyURL = "http://proxy:3128"
			}),
			wantLabels: map[string]string{"region": "us"},
			wantSpec:   map[string]any{"disabledTLSValidations": []any{"*"}, "proxyURL": "http://proxy:3128"},
		},
		{
			name:       "a re-join without --labels keeps the labels",
			d:          context,
			existing:   registered(map[string]string{"region": "us"}, nil),
			wantLabels: map[string]string{"region": "us"},
		},
		{
			name:       "--labels sets the labels it names and keeps the others",
			d:          with(func(d *derived) { d.labels = map[string]string{"region": "eu"} }),
			existing:   registered(map[string]string{"region": "us", "tier": "gold"}, nil),
			wantLabels: map[string]string{"region": "eu", "tier": "gold"},
		},
		{
			name:       "an endpoint set by --api-endpoint or by hand is kept, and said so",
			d:          context,
			existing:   registered(nil, map[string]any{"apiEndpoint": "https://203.0.113.7:6443"}),
			wantLabels: map[string]string{},
			wantSpec:   map[string]any{"apiEndpoint": "https://203.0.113.7:6443"},
			wantKept:   []string{"spec.apiEndpoint https://203.0.113.7:6443 as registered (context gives https://127.0.0.1:6443; --api-endpoint changes it)"},
		},
		{
			name:       "--api-endpoint changes the endpoint",
			d:          with(func(d *derived) { d.endpointFlag = "https://198.51.100.1:6443" }),
			existing:   registered(nil, map[string]any{"apiEndpoint": "https://203.0.113.7:6443"}),
			wantLabels: map[string]string{},
			wantSpec:   map[string]any{"apiEndpoint": "https://198.51.100.1:6443"},
		},
		{
			name:       "a CA bundle, disabled TLS validations and a proxy set by hand are kept",
			d:          context,
			existing:   registered(nil, map[string]any{"caBundle": base64.StdEncoding.EncodeToString([]byte("own CA")), "disabledTLSValidations": []any{"SubjectName"}, "proxyURL": "http://proxy:3128"}),
			wantLabels: map[string]string{},
			wantSpec:   map[string]any{"caBundle": base64.StdEncoding.EncodeToString([]byte("own CA")), "disabledTLSValidations": []any{"SubjectName"}, "proxyURL": "http://proxy:3128"},
			wantKept: []string{
				"spec.caBundle as registered (the context's CA differs; unjoin and join again to take it)",
				"spec.disabledTLSValidations [SubjectName] as registered (the context verifies TLS)",
			},
		},
		{
			name:       "the same arguments again give the same object, and nothing to say",
			d:          with(func(d *derived) { d.labels = map[string]string{"region": "us"}; d.insecure = true }),
			existing:   registered(map[string]string{"region": "us"}, map[string]any{"disabledTLSValidations": []any{"*"}}),
			wantLabels: map[string]string{"region": "us"},
			wantSpec:   map[string]any{"disabledTLSValidations": []any{"*"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kept := registration(n, tt.d, tt.existing)
			want := registered(nil, tt.wantSpec)
			if len(tt.wantLabels) > 0 {
				want.SetLabels(tt.wantLabels)
			}
			assert.Equal(t, want.Object, got.Object)
			assert.Equal(t, tt.wantKept, kept)
		})
	}
}
