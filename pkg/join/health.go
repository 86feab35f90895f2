package join

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubefedctl/kubefedctl/pkg/apis"
	"github.com/kubefedctl/kubefedctl/pkg/cli"
	"github.com/kubefedctl/kubefedctl/pkg/clusterclient"
)

// DefaultProbeTimeout bounds a probe when --request-timeout is not given.
const DefaultProbeTimeout = 10 * time.Second

// ListClusters reads every KubeFedCluster of the federation.
func ListClusters(ctx context.Context, host *cli.Clients, namespace string) ([]*apis.KubeFedCluster, error) {
	list, err := host.Dynamic.Resource(apis.KubeFedClusterResource).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing KubeFedClusters in namespace %q of the host (context %q): %s", namespace, host.Context, cli.ServerError(err))
	}
	clusters := make([]*apis.KubeFedCluster, 0, len(list.Items))
	for i := range list.Items {
		c := &apis.KubeFedCluster{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(list.Items[i].Object, c); err != nil {
			return nil, fmt.Errorf("KubeFedCluster %q: %w", list.Items[i].GetName(), err)
		}
		clusters = append(clusters, c)
	}
	return clusters, nil
}

// MemberConfig is the client configuration of a member from what join stored in the host: the
// KubeFedCluster and the Secret it names.
func MemberConfig(ctx context.Context, host *cli.Clients, cluster *apis.KubeFedCluster) (*rest.Config, error) {
	name := cluster.Spec.SecretRef.Name
	if name == "" {
		return nil, fmt.Errorf("cluster %q has no spec.secretRef.name", cluster.Name)
	}
	secret, err := host.Kube.CoreV1().Secrets(cluster.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the credentials Secret %s/%s of cluster %q: %s", cluster.Namespace, name, cluster.Name, cli.ServerError(err))
	}
	return clusterclient.Config(cluster, secret)
}

// Health is what a probe found.
type Health struct {
	Ready   bool
	Version string
	// Status is the KubeFedCluster status kubefed's controller would write for this probe.
	Status apis.KubeFedClusterStatus
	// Message says what went wrong, when something did.
	Message string
}

// Probe checks one member through its stored credentials, as kubefed's health check did:
// GET /healthz answered "ok", then the version.
func Probe(ctx context.Context, host *cli.Clients, cluster *apis.KubeFedCluster, timeout time.Duration, now metav1.Time) Health {
	condition := func(kind, status, reason, message string) apis.ClusterCondition {
		return apis.ClusterCondition{Type: kind, Status: status, Reason: reason, Message: message, LastProbeTime: now, LastTransitionTime: &now}
	}
	config, err := MemberConfig(ctx, host, cluster)
	if err != nil {
		return Health{Message: err.Error(), Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
			condition(apis.ClusterConfigMalformed, "True", "ClusterConfigMalformed", "cluster's configuration may be malformed: "+err.Error()),
		}}}
	}
	config.Timeout = timeout
	client, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return Health{Message: err.Error(), Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
			condition(apis.ClusterConfigMalformed, "True", "ClusterConfigMalformed", "cluster's configuration may be malformed: "+err.Error()),
		}}}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := client.RESTClient().Get().AbsPath("/healthz").Do(ctx).Raw()
	if err != nil {
		if msg, refused := refusedCredentials(err, cluster); refused {
			// It answered, so it is not offline; it is not ready for the federation either.
			return Health{Message: msg, Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
				condition(apis.ClusterReady, "False", "ClusterNotReady", msg),
				condition(apis.ClusterOffline, "False", "ClusterReachable", "cluster is reachable"),
			}}}
		}
		msg := "cluster is not reachable: " + cli.ServerError(err)
		return Health{Message: msg, Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
			condition(apis.ClusterOffline, "True", "ClusterNotReachable", msg),
		}}}
	}
	if !strings.EqualFold(strings.TrimSpace(string(body)), "ok") {
		return Health{Message: "/healthz responded without ok", Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
			condition(apis.ClusterReady, "False", "ClusterNotReady", "/healthz responded without ok"),
			condition(apis.ClusterOffline, "False", "ClusterReachable", "cluster is reachable"),
		}}}
	}
	h := Health{Ready: true, Status: apis.KubeFedClusterStatus{Conditions: []apis.ClusterCondition{
		condition(apis.ClusterReady, "True", "ClusterReady", "/healthz responded with ok"),
	}}}
	if version, err := client.ServerVersion(); err == nil {
		h.Version = version.GitVersion
		h.Status.KubernetesVersion = version.GitVersion
	}
	return h
}

// refusedCredentials says what a member that answered a probe with 401 or 403 refused: the
// stored token, or the grant to read /healthz. Such a member is reachable; calling it
// unreachable would send the user after the network.
func refusedCredentials(err error, cluster *apis.KubeFedCluster) (string, bool) {
	secret := cluster.Namespace + "/" + cluster.Spec.SecretRef.Name
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Sprintf("cluster is reachable but refuses the stored credentials (401 Unauthorized): the token in Secret %s "+
			"was revoked, has expired or belongs to another cluster; join the cluster again (kubefedctl join %s --error-on-existing=false) to store a new one",
			secret, cluster.Name), true
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("cluster is reachable but its service account may not read /healthz (403 Forbidden): %s; "+
			"join the cluster again (kubefedctl join %s --error-on-existing=false) to restore the RBAC join writes", cli.ServerError(err), cluster.Name), true
	}
	return "", false
}

// ProbeAll probes every cluster at once; the slowest is bounded by timeout.
func ProbeAll(ctx context.Context, host *cli.Clients, clusters []*apis.KubeFedCluster, timeout time.Duration) []Health {
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	results := make([]Health, len(clusters))
	var wg sync.WaitGroup
	for i, c := range clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = Probe(ctx, host, c, timeout, now)
		}()
	}
	wg.Wait()
	return results
}

// mergeStatus keeps a condition's lastTransitionTime when its status did not change, as
// kubefed's controller did.
func mergeStatus(previous *apis.KubeFedClusterStatus, next apis.KubeFedClusterStatus) apis.KubeFedClusterStatus {
	if previous == nil {
		return next
	}
	for i, c := range next.Conditions {
		for _, p := range previous.Conditions {
			if p.Type == c.Type && p.Status == c.Status && p.LastTransitionTime != nil {
				next.Conditions[i].LastTransitionTime = p.LastTransitionTime
			}
		}
	}
	return next
}
