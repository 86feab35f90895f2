// Package apis holds kubefed's API types and names, with kubefed v0.10's field names, so that
// kubefed's manifests decode unchanged. It holds data only: no clients, no I/O.
package apis
