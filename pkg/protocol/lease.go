// Package protocol holds what every writer of a federation's federated objects shares with a
// propagate pass: the pass Lease, one pass at a time per federation, and kubefed's finalizer,
// added and removed without losing another controller's.
package protocol

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"

	"github.com/kubefedctl/kubefedctl/pkg/cli"
)

// LeaseName is the Lease in the KubeFed namespace that a pass holds: one pass at a time per
// federation, so that two passes never undo each other's deletes.
const LeaseName = "kubefedctl-propagate"

// ErrLeaseLost stops a pass whose Lease another pass took (after this one stalled past it).
var ErrLeaseLost = errors.New("the pass Lease was lost to another pass, so this pass stopped; run it again")

// leaseDuration is how long a holder that stops renewing (a killed pass) keeps others out.
const leaseDuration = 30 * time.Second

// Lease is a held pass lock.
type Lease struct {
	client   kubernetes.Interface
	ns, name string
	holder   string
	stop     context.CancelFunc
	done     chan struct{}
}

// Verdict says what a pass may do with the Lease as it stands: take it, or wait for the
// holder it names. A Lease whose holder is empty, or that has not been renewed within its
// duration, is free.
func Verdict(l *coordinationv1.Lease, self string, now time.Time) (free bool, holder string) {
	spec := l.Spec
	if spec.HolderIdentity == nil || *spec.HolderIdentity == "" || *spec.HolderIdentity == self {
		return true, ""
	}
	holder = *spec.HolderIdentity
	if spec.RenewTime == nil || spec.LeaseDurationSeconds == nil {
		return true, holder
	}
	expiry := spec.RenewTime.Add(time.Duration(*spec.LeaseDurationSeconds) * time.Second)
	return !now.Before(expiry), holder
}

// Acquire takes the pass Lease, waiting up to wait for a live holder to let go, and keeps
// it renewed until Release. lost is called if the Lease is lost, so that the pass stops
// rather than run beside another.
func Acquire(ctx context.Context, client kubernetes.Interface, ns string, wait time.Duration, lost func()) (*Lease, error) {
	host, _ := os.Hostname()
	l := &Lease{client: client, ns: ns, name: LeaseName, holder: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.String(5))}
	deadline := time.Now().Add(wait)
	for {
		holder, err := l.try(ctx)
		if err != nil {
			return nil, err
		}
		if holder == "" {
			break
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("another pass holds Lease %s/%s (holder %s): waited %s (--lock-timeout); run again when it ends, or wait %s for a crashed one's lease to expire",
				ns, LeaseName, holder, wait, leaseDuration)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	renewCtx, stop := context.WithCancel(context.Background())
	l.stop, l.done = stop, make(chan struct{})
	go func() {
		defer close(l.done)
		ticker := time.NewTicker(leaseDuration / 3)
		defer ticker.Stop()
		for {
			select {
			case <-renewCtx.Done():
				return
			case <-ticker.C:
				if holder, err := l.try(renewCtx); renewCtx.Err() == nil && (err != nil || holder != "") {
					lost()
					return
				}
			}
		}
	}()
	return l, nil
}

// try takes or renews the Lease once: "" when it is ours now, else the live holder.
func (l *Lease) try(ctx context.Context) (string, error) {
	leases := l.client.CoordinationV1().Leases(l.ns)
	now := metav1.NewMicroTime(time.Now())
	seconds := int32(leaseDuration / time.Second)
	current, err := leases.Get(ctx, l.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: l.name, Namespace: l.ns},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: &l.holder, LeaseDurationSeconds: &seconds, AcquireTime: &now, RenewTime: &now},
		}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return "another pass", nil
		}
		if err != nil {
			return "", fmt.Errorf("creating the pass Lease %s/%s: %s", l.ns, l.name, cli.ServerError(err))
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the pass Lease %s/%s: %s", l.ns, l.name, cli.ServerError(err))
	}
	free, holder := Verdict(current, l.holder, now.Time)
	if !free {
		return holder, nil
	}
	if current.Spec.HolderIdentity == nil || *current.Spec.HolderIdentity != l.holder {
		current.Spec.AcquireTime = &now
	}
	current.Spec.HolderIdentity, current.Spec.LeaseDurationSeconds, current.Spec.RenewTime = &l.holder, &seconds, &now
	// The update carries the resourceVersion read: of two passes taking a free Lease, one wins.
	if _, err := leases.Update(ctx, current, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsConflict(err) {
			return "another pass", nil
		}
		return "", fmt.Errorf("taking the pass Lease %s/%s: %s", l.ns, l.name, cli.ServerError(err))
	}
	return "", nil
}

// Release lets the Lease go at the end of the pass, so that the next need not wait for it to
// expire.
func (l *Lease) Release() {
	l.stop()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leases := l.client.CoordinationV1().Leases(l.ns)
	current, err := leases.Get(ctx, l.name, metav1.GetOptions{})
	if err != nil || current.Spec.HolderIdentity == nil || *current.Spec.HolderIdentity != l.holder {
		return
	}
	empty := ""
	current.Spec.HolderIdentity = &empty
	_, _ = leases.Update(ctx, current, metav1.UpdateOptions{})
}
