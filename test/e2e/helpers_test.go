package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/cmd"
)

// result of one kubefedctl run.
type result struct {
	code           int
	stdout, stderr string
}

// kubefedctl runs the command tree as the binary does, against the local federation's kubeconfig.
func kubefedctl(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := cmd.NewRootCommand(streams, "kubefedctl")
	root.SetArgs(append([]string{"--kubeconfig", fed.Kubeconfig}, args...))
	code := cli.Execute(root, streams)
	return result{code, out.String(), errOut.String()}
}

// together runs n kubefedctl commands at once and returns their exit codes.
func together(t *testing.T, n int, args ...string) []int {
	t.Helper()
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = kubefedctl(t, args...).code
		}()
	}
	wg.Wait()
	return codes
}

// mustRun runs kubefedctl and requires success.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := kubefedctl(t, args...)
	require.Equal(t, cli.ExitOK, r.code, "kubefedctl %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.stdout, r.stderr)
	return r
}

func dynamicFor(t *testing.T, context string) dynamic.Interface {
	t.Helper()
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: fed.Kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	require.NoError(t, err)
	client, err := dynamic.NewForConfig(config)
	require.NoError(t, err)
	return client
}

var (
	namespacesGVR          = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	serviceAccountsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	secretsGVR             = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	configMapsGVR          = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	clusterRolesGVR        = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
	clusterRoleBindingsGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
	rolesGVR               = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}
	crdsGVR                = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// snapshot lists every object of the given resources as "resource ns/name@resourceVersion".
func snapshot(t *testing.T, client dynamic.Interface, resources ...schema.GroupVersionResource) []string {
	t.Helper()
	var out []string
	for _, gvr := range resources {
		list, err := client.Resource(gvr).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			// A type that does not exist yet (a CRD before init) has nothing to compare.
			out = append(out, gvr.Resource+": "+err.Error())
			continue
		}
		for _, item := range list.Items {
			out = append(out, gvr.Resource+" "+item.GetNamespace()+"/"+item.GetName()+"@"+item.GetResourceVersion())
		}
	}
	sort.Strings(out)
	return out
}

// names lists the names of the objects of a resource whose name contains part.
func names(t *testing.T, client dynamic.Interface, gvr schema.GroupVersionResource, namespace, part string) []string {
	t.Helper()
	list, err := client.Resource(gvr).Namespace(namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, item := range list.Items {
		if strings.Contains(item.GetName(), part) {
			out = append(out, item.GetName())
		}
	}
	return out
}

func toUnstructured(obj any) (*unstructured.Unstructured, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: content}, nil
}

func decodeBase64(t *testing.T, s string) string {
	data, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(data)
}
