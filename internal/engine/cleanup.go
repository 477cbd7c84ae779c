package engine

// Cleanup of what the suite created, found by its labels, and of the
// anonymous volumes of its containers, which carry none.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

// ScopeIs matches the objects of one script of a run.
func ScopeIs(scope string) func(string) bool { return func(s string) bool { return s == scope } }

// RunIs matches the objects of every script of one run.
func RunIs(runID string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, runID+".") }
}

// AnyScope matches the objects of any run (dead runs, once the lock is held).
func AnyScope(string) bool { return true }

// RemoveLabelled removes every container (with its anonymous volumes),
// network and volume whose label key has a value that matches, and the
// images too when withImages is set. It returns what it removed, in French
// ("conteneur NAME", "réseau NAME"...).
func RemoveLabelled(ctx context.Context, cli *client.Client, key string, match func(value string) bool, withImages bool) ([]string, error) {
	args := filters.NewArgs(filters.Arg("label", key))
	var removed []string
	var errs []error
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	errs = append(errs, err)
	for _, c := range cs {
		if !match(c.Labels[key]) {
			continue
		}
		err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err == nil || client.IsErrNotFound(err) {
			removed = append(removed, "conteneur "+strings.TrimPrefix(c.Names[0], "/"))
		} else {
			errs = append(errs, err)
		}
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: args})
	errs = append(errs, err)
	for _, n := range ns {
		if !match(n.Labels[key]) {
			continue
		}
		if err := cli.NetworkRemove(ctx, n.ID); err == nil || client.IsErrNotFound(err) {
			removed = append(removed, "réseau "+n.Name)
		} else {
			errs = append(errs, err)
		}
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: args})
	errs = append(errs, err)
	for _, v := range vs.Volumes {
		if !match(v.Labels[key]) {
			continue
		}
		if err := cli.VolumeRemove(ctx, v.Name, true); err == nil || client.IsErrNotFound(err) {
			removed = append(removed, "volume "+v.Name)
		} else {
			errs = append(errs, err)
		}
	}
	if withImages {
		ims, err := cli.ImageList(ctx, image.ListOptions{All: true, Filters: args})
		errs = append(errs, err)
		for _, im := range ims {
			if !match(im.Labels[key]) {
				continue
			}
			_, err := cli.ImageRemove(ctx, im.ID, image.RemoveOptions{Force: true, PruneChildren: true})
			if err == nil || client.IsErrNotFound(err) {
				name := ShortID(im.ID)
				if len(im.RepoTags) > 0 {
					name = im.RepoTags[0]
				}
				removed = append(removed, "image "+name)
			} else {
				errs = append(errs, err)
			}
		}
	}
	return removed, errors.Join(errs...)
}

// RemoveScope removes the sentinels and every object of the suite whose
// scope matches (RemoveLabelled, images included), and returns what it
// removed besides the sentinels.
func RemoveScope(ctx context.Context, cli *client.Client, match func(scope string) bool) ([]string, error) {
	RemoveSentinels(ctx, cli, match)
	return RemoveLabelled(ctx, cli, LabelScope, match, true)
}

// ShortID is the 12-hex form of an engine ID, as docker prints it.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// The anonymous volumes of the suite's containers carry no label: the run
// writes their names down as it goes (RememberVolumes), so that a run that
// died before its cleanup leaves a list the next run finds
// (RemoveDeadRunVolumes).
func volumeListPath(runID string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "tpdocker", "volumes-"+runID+".txt")
}

// RememberVolumes adds volume names to the run's list.
func RememberVolumes(runID string, names []string) {
	if len(names) == 0 {
		return
	}
	os.MkdirAll(filepath.Dir(volumeListPath(runID)), 0o755)
	f, err := os.OpenFile(volumeListPath(runID), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(strings.Join(names, "\n") + "\n")
}

// ForgetVolumes removes the run's list, once its volumes are gone.
func ForgetVolumes(runID string) { os.Remove(volumeListPath(runID)) }

// RemoveVolumes removes the named volumes that still exist.
func RemoveVolumes(ctx context.Context, cli *client.Client, names []string) ([]string, error) {
	var removed []string
	var errs []error
	for _, v := range names {
		err := cli.VolumeRemove(ctx, v, true)
		switch {
		case err == nil:
			removed = append(removed, "volume "+ShortID(v))
		case !client.IsErrNotFound(err):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// RemoveDeadRunVolumes removes the volumes listed by runs other than runID
// (the engine lock is held: those runs are over), then their lists.
func RemoveDeadRunVolumes(ctx context.Context, cli *client.Client, runID string) ([]string, error) {
	lists, _ := filepath.Glob(volumeListPath("*"))
	var removed []string
	var errs []error
	for _, l := range lists {
		if l == volumeListPath(runID) {
			continue
		}
		data, _ := os.ReadFile(l)
		r, err := RemoveVolumes(ctx, cli, strings.Fields(string(data)))
		removed = append(removed, r...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		os.Remove(l)
	}
	return removed, errors.Join(errs...)
}
