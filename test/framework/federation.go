package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Bounds on every wait.
const (
	etcdReadyTimeout      = 30 * time.Second
	apiserverReadyTimeout = 120 * time.Second
	controllersTimeout    = 90 * time.Second
)

// Options say what to start.
type Options struct {
	// Members is the number of member clusters beside the host.
	Members int
	// Dir holds the run's files; empty means a new directory under StateRoot.
	Dir string
	// Detached processes outlive the caller (make local-up); Stop or local-down ends them.
	Detached bool
	// Log receives progress; nil discards it.
	Log io.Writer
	// Controllers overrides the controller-manager's controllers (benchmarks leave out the
	// workload controllers, whose pods would compete with what is measured).
	Controllers []string
}

// Federation is a running set of control planes: Host, then Members.
type Federation struct {
	Dir        string
	Kubeconfig string
	Host       *ControlPlane
	Members    []*ControlPlane

	binDir   string
	detached bool
	etcd     *process
}

// ControlPlane is one cluster: a kube-apiserver and a kube-controller-manager on the shared etcd.
type ControlPlane struct {
	// Name is also its kubeconfig context: host, member1, member2, ...
	Name   string
	Server string
	CAPEM  []byte
	Token  string

	dir               string
	port              int
	apiserver         *process
	controllerManager *process
}

// Config is an admin client configuration that verifies TLS against the cluster's own CA.
func (c *ControlPlane) Config() *rest.Config {
	return &rest.Config{
		Host:            c.Server,
		BearerToken:     c.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.CAPEM},
		QPS:             100,
		Burst:           200,
	}
}

// All returns the host and the members.
func (f *Federation) All() []*ControlPlane {
	return append([]*ControlPlane{f.Host}, f.Members...)
}

// Start brings up etcd and every control plane, waits until each serves and its controllers run,
// and writes the kubeconfig. On failure everything started is stopped again.
func Start(ctx context.Context, opts Options) (*Federation, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	binDir, err := EnsureBinaries(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := CleanStaleRuns(); err != nil {
		fmt.Fprintf(log, "warning: cleaning earlier runs: %v\n", err)
	}
	dir := opts.Dir
	if dir == "" {
		root, err := StateRoot()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, err
		}
		if dir, err = os.MkdirTemp(root, "run-"); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if !opts.Detached {
		// The owner file lets a later run find this one's processes if this process dies.
		if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			return nil, err
		}
	}
	f := &Federation{Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"), binDir: binDir, detached: opts.Detached}
	if err := f.start(ctx, opts, log); err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

func (f *Federation) start(ctx context.Context, opts Options, log io.Writer) error {
	members := opts.Members
	controllers := "serviceaccount-token-controller,serviceaccount-controller,deployment-controller,replicaset-controller,garbage-collector-controller,namespace-controller"
	if opts.Controllers != nil {
		controllers = strings.Join(opts.Controllers, ",")
	}
	start := time.Now()
	ports, err := freePorts(2 + members + 1)
	if err != nil {
		return err
	}
	etcdDir := filepath.Join(f.Dir, "etcd")
	if err := os.MkdirAll(etcdDir, 0o755); err != nil {
		return err
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	f.etcd = newProcess(f.Dir, "etcd", filepath.Join(f.binDir, "etcd"), []string{
		"--name=kubefedctl", "--data-dir=" + etcdDir,
		"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=kubefedctl=" + peer,
		"--unsafe-no-fsync", "--log-level=warn",
	})
	if err := f.etcd.start(f.detached); err != nil {
		return err
	}
	if err := waitFor(ctx, etcdReadyTimeout, "etcd to be healthy", f.etcd, func() error { return httpOK(client+"/health", nil) }); err != nil {
		return err
	}
	fmt.Fprintf(log, "etcd ready on %s\n", client)

	names := []string{"host"}
	for i := 1; i <= members; i++ {
		names = append(names, fmt.Sprintf("member%d", i))
	}
	for i, name := range names {
		cp, err := newControlPlane(f.Dir, name, ports[2+i])
		if err != nil {
			return err
		}
		cp.apiserver = newProcess(cp.dir, "kube-apiserver", filepath.Join(f.binDir, "kube-apiserver"), apiserverArgs(cp, client))
		if i == 0 {
			f.Host = cp
		} else {
			f.Members = append(f.Members, cp)
		}
	}
	if err := f.writeKubeconfig(); err != nil {
		return err
	}
	err = f.eachPlane(func(cp *ControlPlane) error {
		if err := cp.startAPIServer(ctx, f.detached); err != nil {
			return err
		}
		kubeconfig := filepath.Join(cp.dir, "controller-manager.kubeconfig")
		if err := writeSingleKubeconfig(kubeconfig, cp); err != nil {
			return err
		}
		cp.controllerManager = newProcess(cp.dir, "kube-controller-manager", filepath.Join(f.binDir, "kube-controller-manager"), []string{
			"--kubeconfig=" + kubeconfig,
			"--controllers=" + controllers,
			"--service-account-private-key-file=" + filepath.Join(cp.dir, "sa.key"),
			"--root-ca-file=" + filepath.Join(cp.dir, "ca.crt"),
			"--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=false", "--v=1",
		})
		if err := cp.controllerManager.start(f.detached); err != nil {
			return err
		}
		return waitFor(ctx, controllersTimeout, cp.Name+"'s controller-manager to create the default service account", cp.controllerManager, func() error {
			return httpOK(cp.Server+"/api/v1/namespaces/default/serviceaccounts/default", cp)
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "%d control planes ready in %s; kubeconfig %s\n", len(names), time.Since(start).Round(time.Second), f.Kubeconfig)
	return nil
}

func (f *Federation) eachPlane(fn func(*ControlPlane) error) error {
	planes := f.All()
	errs := make([]error, len(planes))
	var wg sync.WaitGroup
	for i, cp := range planes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(cp)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func newControlPlane(root, name string, port int) (*ControlPlane, error) {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p, err := newPKI(dir, name)
	if err != nil {
		return nil, err
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	cp := &ControlPlane{
		Name: name, Server: fmt.Sprintf("https://127.0.0.1:%d", port), CAPEM: p.caPEM,
		Token: hex.EncodeToString(token), dir: dir, port: port,
	}
	tokens := fmt.Sprintf("%s,admin,admin,system:masters\n", cp.Token)
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return nil, err
	}
	return cp, nil
}

func apiserverArgs(cp *ControlPlane, etcd string) []string {
	dir := cp.dir
	return []string{
		"--etcd-servers=" + etcd, "--etcd-prefix=/kubefedctl/" + cp.Name,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(cp.port),
		"--tls-cert-file=" + filepath.Join(dir, "apiserver.crt"), "--tls-private-key-file=" + filepath.Join(dir, "apiserver.key"),
		"--cert-dir=" + dir, "--client-ca-file=" + filepath.Join(dir, "ca.crt"),
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"), "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(dir, "sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16", "--endpoint-reconciler-type=none",
		"--profiling=false", "--v=1",
	}
}

func (cp *ControlPlane) startAPIServer(ctx context.Context, detached bool) error {
	if err := cp.apiserver.start(detached); err != nil {
		return err
	}
	return waitFor(ctx, apiserverReadyTimeout, cp.Name+"'s kube-apiserver to be ready on "+cp.Server, cp.apiserver, func() error {
		return httpOK(cp.Server+"/readyz", cp)
	})
}

// StopAPIServer stops the cluster's kube-apiserver, making the cluster unreachable.
func (cp *ControlPlane) StopAPIServer() {
	cp.apiserver.stop()
}

// StartAPIServer starts the kube-apiserver again, on the same port, and waits until it is ready.
func (cp *ControlPlane) StartAPIServer(ctx context.Context) error {
	return cp.startAPIServer(ctx, false)
}

// Stop ends every process and removes the run's directory.
func (f *Federation) Stop() {
	for _, cp := range f.All() {
		if cp == nil {
			continue
		}
		if cp.controllerManager != nil {
			cp.controllerManager.stop()
		}
		if cp.apiserver != nil {
			cp.apiserver.stop()
		}
	}
	if f.etcd != nil {
		f.etcd.stop()
	}
	StopDir(f.Dir)
}

// CleanStaleRuns stops the processes of runs whose owner has died (a crashed or killed test) and
// removes their directories.
func CleanStaleRuns() error {
	root, err := StateRoot()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(string(data))
		if err != nil || alive(owner) {
			continue
		}
		StopDir(dir)
	}
	return nil
}

func (f *Federation) writeKubeconfig() error {
	config := clientcmdapi.NewConfig()
	for _, cp := range f.All() {
		config.Clusters[cp.Name] = &clientcmdapi.Cluster{Server: cp.Server, CertificateAuthorityData: cp.CAPEM}
		config.AuthInfos[cp.Name] = &clientcmdapi.AuthInfo{Token: cp.Token}
		config.Contexts[cp.Name] = &clientcmdapi.Context{Cluster: cp.Name, AuthInfo: cp.Name}
	}
	config.CurrentContext = "host"
	return clientcmd.WriteToFile(*config, f.Kubeconfig)
}

func writeSingleKubeconfig(path string, cp *ControlPlane) error {
	config := clientcmdapi.NewConfig()
	config.Clusters["local"] = &clientcmdapi.Cluster{Server: cp.Server, CertificateAuthorityData: cp.CAPEM}
	config.AuthInfos["local"] = &clientcmdapi.AuthInfo{Token: cp.Token}
	config.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "local"}
	config.CurrentContext = "local"
	return clientcmd.WriteToFile(*config, path)
}

// waitFor polls check every 250ms until it succeeds, the process exits, ctx ends or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, what string, p *process, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if last = check(); last == nil {
			return nil
		}
		if err := p.exited(); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up waiting %s for %s: %v; see %s", timeout, what, last, p.log)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// httpOK GETs url (as the cluster's admin when cp is given) and wants a 200.
func httpOK(url string, cp *ControlPlane) error {
	client := &http.Client{Timeout: 5 * time.Second}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if cp != nil {
		transport, err := rest.TransportFor(cp.Config())
		if err != nil {
			return err
		}
		client.Transport = transport
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s: %s", url, resp.Status, body)
	}
	return nil
}

// freePorts finds n ports free now on 127.0.0.1. A port can still be taken before it is used;
// the process then exits and the wait reports its log.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// StopDir stops every process recorded under a run directory (including a detached one
// started by another process) and removes it.
func StopDir(dir string) {
	killRecorded(dir)
	subdirs, _ := os.ReadDir(dir)
	for _, s := range subdirs {
		if s.IsDir() {
			killRecorded(filepath.Join(dir, s.Name()))
		}
	}
	os.RemoveAll(dir)
}
