package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

func clientFor(t *testing.T, context string) kubernetes.Interface {
	t.Helper()
	// Through the written kubeconfig, as users reach the clusters.
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: fed.Kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	require.NoError(t, err)
	client, err := kubernetes.NewForConfig(config)
	require.NoError(t, err)
	return client
}

// The harness is real: member1's controller-manager makes a ReplicaSet for a Deployment and
// fills a token Secret, over TLS verified against member1's own CA, and the host is a separate
// cluster that sees none of it.
func TestSmokeControlPlanes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	member1, host := clientFor(t, "member1"), clientFor(t, "host")

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}}
	_, err := member1.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	require.NoError(t, err)
	labels := map[string]string{"app": "smoke"}
	deployment := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "smoke"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
			},
		},
	}
	_, err = member1.AppsV1().Deployments("smoke").Create(ctx, deployment, metav1.CreateOptions{})
	require.NoError(t, err)

	var replicaSets *appsv1.ReplicaSetList
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		replicaSets, err = member1.AppsV1().ReplicaSets("smoke").List(ctx, metav1.ListOptions{})
		return err == nil && len(replicaSets.Items) == 1, nil
	})
	require.NoError(t, err, "member1's deployment controller should create a ReplicaSet")
	assert.Equal(t, "web", replicaSets.Items[0].OwnerReferences[0].Name)

	_, err = member1.CoreV1().ServiceAccounts("smoke").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-token", Namespace: "smoke", Annotations: map[string]string{corev1.ServiceAccountNameKey: "robot"}},
		Type:       corev1.SecretTypeServiceAccountToken,
	}
	_, err = member1.CoreV1().Secrets("smoke").Create(ctx, secret, metav1.CreateOptions{})
	require.NoError(t, err)
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		secret, err = member1.CoreV1().Secrets("smoke").Get(ctx, "robot-token", metav1.GetOptions{})
		return err == nil && len(secret.Data[corev1.ServiceAccountTokenKey]) > 0, nil
	})
	require.NoError(t, err, "member1's token controller should fill the token")
	assert.NotEmpty(t, secret.Data[corev1.ServiceAccountRootCAKey])

	_, err = host.AppsV1().Deployments("smoke").Get(ctx, "web", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the host must not see member1's deployment: %v", err)
	_, err = host.CoreV1().Namespaces().Get(ctx, "smoke", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the host must not see member1's namespace: %v", err)
}
