package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestVersionOf(t *testing.T) {
	at := time.Date(2026, 12, 2, 14, 59, 52, 0, time.FixedZone("CET", 3600))
	sha := "c52e03ba596eee6c3c3790647b7a27ee680f0f09"
	for _, tc := range []struct {
		name string
		src  source
		want string
	}{
		{"untagged: a pseudo-version from the commit time in UTC and 12 hex digits", source{Commit: sha, CommitTime: at}, "v0.0.0-20261202135952-c52e03ba596e"},
		{"untagged and dirty", source{Commit: sha, CommitTime: at, Dirty: true}, "v0.0.0-20261202135952-c52e03ba596e+dirty"},
		{"a release tag as it is", source{Commit: sha, CommitTime: at, Tags: []string{"v0.2.0"}}, "v0.2.0"},
		{"a pre-release tag as it is", source{Commit: sha, CommitTime: at, Tags: []string{"v1.0.0-rc.1"}}, "v1.0.0-rc.1"},
		{"the highest of several tags", source{Commit: sha, CommitTime: at, Tags: []string{"v0.10.0", "v0.9.0", "v1.0.0-rc.1"}}, "v1.0.0-rc.1"},
		{"a tagged tree with changes", source{Commit: sha, CommitTime: at, Tags: []string{"v0.2.0"}, Dirty: true}, "v0.2.0+dirty"},
		{"tags that are not vX.Y.Z are not versions", source{Commit: sha, CommitTime: at, Tags: []string{"latest", "v1", "v1.2", "1.2.3"}}, "v0.0.0-20261202135952-c52e03ba596e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionOf(tc.src))
		})
	}
}

func TestReleaseVersion(t *testing.T) {
	for _, tc := range []struct {
		version string
		err     string
	}{
		{"v0.2.0", ""},
		{"v1.0.0-rc.1", ""},
		{"v0.0.0-20261202135952-c52e03ba596e", `version "v0.0.0-20261202135952-c52e03ba596e" is an untagged commit's: tag the commit vX.Y.Z (git tag v0.2.0) or pass VERSION=vX.Y.Z`},
		{"v0.2.0+dirty", `version "v0.2.0+dirty" is of a tree with uncommitted changes: commit them and tag the commit`},
		{"a532569", `version "a532569" is not a semantic version vX.Y.Z`},
		{"v1.2", `version "v1.2" is not a semantic version vX.Y.Z`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			err := releaseVersion(tc.version)
			if tc.err == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.err)
			}
		})
	}
}

func TestLdflagsStampTheCommitDateNotTheClock(t *testing.T) {
	src := source{Commit: "c52e03ba596eee6c3c3790647b7a27ee680f0f09", CommitTime: time.Date(2026, 12, 2, 14, 59, 52, 0, time.UTC)}
	assert.Equal(t, "-s -w -X github.com/kubefedctl/kubefedctl/pkg/version.version=v0.2.0 -X github.com/kubefedctl/kubefedctl/pkg/version.gitCommit=c52e03ba596eee6c3c3790647b7a27ee680f0f09 -X github.com/kubefedctl/kubefedctl/pkg/version.buildDate=2026-12-02T14:59:52Z",
		ldflags("v0.2.0", src))
	assert.Equal(t, "-s -w -X github.com/kubefedctl/kubefedctl/pkg/version.version=v0.2.0 -X github.com/kubefedctl/kubefedctl/pkg/version.gitCommit=unknown -X github.com/kubefedctl/kubefedctl/pkg/version.buildDate=unknown",
		ldflags("v0.2.0", source{}))
}
