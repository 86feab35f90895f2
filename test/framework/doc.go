// Package framework starts real local control planes for end-to-end tests, the demo and the
// benchmarks: one etcd and several kube-apiservers (a host and members), each with its own etcd
// prefix, port, CA and serving certificate, RBAC and an admin token, and a
// kube-controller-manager that fills service-account token secrets and runs the deployment,
// replica set, namespace and garbage-collection controllers.
//
// The binaries are built from pinned sources by hack/controlplane into a cache outside the
// checkout. Every wait is bounded, every process is recorded by PID so that a later run can
// stop what a crashed one left behind.
package framework
