package main

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// source is what a build is stamped with, read from git once.
type source struct {
	Commit     string    // full sha
	CommitTime time.Time // the commit's date: builds of one commit are the same bytes
	Tags       []string  // tags pointing at the commit
	Dirty      bool      // tracked files differ from the commit
}

// versionOf is the version a build of src carries: the highest semantic-version tag vX.Y.Z on
// the commit as it is, else a Go pseudo-version's shape, v0.0.0-<commit time UTC
// yyyymmddhhmmss>-<12 hex digits of the sha>, which krew and Go both accept and which orders
// untagged builds by commit time. Uncommitted changes add "+dirty", as go build stamps them.
func versionOf(src source) string {
	v := ""
	for _, t := range src.Tags {
		if semver.IsValid(t) && semver.Canonical(t) == t && (v == "" || semver.Compare(t, v) > 0) {
			v = t
		}
	}
	if v == "" {
		sha := src.Commit
		if len(sha) > 12 {
			sha = sha[:12]
		}
		v = "v0.0.0-" + src.CommitTime.UTC().Format("20060102150405") + "-" + sha
	}
	if src.Dirty {
		v += "+dirty"
	}
	return v
}

// releaseVersion says whether v may go into the tracked krew manifest: a tag's version
// (vX.Y.Z or a pre-release of it), not a pseudo-version and not a dirty tree's.
func releaseVersion(v string) error {
	if semver.IsValid(v) && semver.Build(v) != "" {
		return fmt.Errorf("version %q is of a tree with uncommitted changes: commit them and tag the commit", v)
	}
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return fmt.Errorf("version %q is not a semantic version vX.Y.Z", v)
	}
	if strings.HasPrefix(v, "v0.0.0-") {
		return fmt.Errorf("version %q is an untagged commit's: tag the commit vX.Y.Z (git tag v0.2.0) or pass VERSION=vX.Y.Z", v)
	}
	return nil
}

// ldflags stamps the version, the commit and the commit's date into pkg/version; -s -w leave out
// the symbol table, as release binaries do.
func ldflags(version string, src source) string {
	date := "unknown"
	if !src.CommitTime.IsZero() {
		date = src.CommitTime.UTC().Format(time.RFC3339)
	}
	commit := src.Commit
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("-s -w -X %[1]s/pkg/version.version=%[2]s -X %[1]s/pkg/version.gitCommit=%[3]s -X %[1]s/pkg/version.buildDate=%[4]s",
		module, version, commit, date)
}

// readSource asks git about the checkout in the working directory.
func readSource() (source, error) {
	head, err := git("log", "-1", "--format=%H %ct")
	if err != nil {
		return source{}, err
	}
	sha, seconds, _ := strings.Cut(strings.TrimSpace(head), " ")
	unix, err := strconv.ParseInt(seconds, 10, 64)
	if err != nil {
		return source{}, fmt.Errorf("reading the commit time from git log %q: %w", head, err)
	}
	tags, err := git("tag", "--points-at", "HEAD")
	if err != nil {
		return source{}, err
	}
	status, err := git("status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return source{}, err
	}
	return source{
		Commit:     sha,
		CommitTime: time.Unix(unix, 0).UTC(),
		Tags:       strings.Fields(tags),
		Dirty:      strings.TrimSpace(status) != "",
	}, nil
}

func git(args ...string) (string, error) {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		detail := ""
		if exit, ok := err.(*exec.ExitError); ok {
			detail = ": " + strings.TrimSpace(string(exit.Stderr))
		}
		return "", fmt.Errorf("git %s%s (build from a git checkout, or pass -version vX.Y.Z): %w", strings.Join(args, " "), detail, err)
	}
	return string(out), nil
}
