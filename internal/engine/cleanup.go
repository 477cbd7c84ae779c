package engine

// Cleanup of what the suite created, found on the engine itself: the
// objects that carry the scope or sentinel label, and the anonymous volumes
// of the suite's containers, which carry none and are found through their
// markers (MarkVolumes). Cleanup converges: it goes on until nothing of the
// scope is left, or its time is up, and then names what remains.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
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

// CleanupLimit bounds a cleanup whose context has no deadline of its own.
const CleanupLimit = 30 * time.Second

// An anonymous volume of one of the suite's containers has a marker: an
// empty volume of its own, made by the suite, that names it and the scope
// it belongs to. Markers live on the engine, so any user's next run finds
// what a killed run left, and a volume without a marker is never touched.
const (
	labelAnonScope  = "tpdocker.anonymous.scope"  // the scope of the container the volume was made for
	labelAnonVolume = "tpdocker.anonymous.volume" // the anonymous volume's name
)

// Anonymous volumes carry this label from the engine (Docker 23 and newer).
const labelEngineAnonymous = "com.docker.volume.anonymous"

// MarkVolumes leaves a marker on the engine for each volume of names that
// the scope's container was given: anonymous volumes, and volumes of the
// scope itself. Any other volume (one the reader made and mounted) is left
// out, so cleanup never removes it.
func MarkVolumes(ctx context.Context, cli *client.Client, scope string, names []string) error {
	var errs []error
	for _, name := range names {
		v, err := cli.VolumeInspect(ctx, name)
		if err != nil {
			if !cerrdefs.IsNotFound(err) {
				errs = append(errs, err)
			}
			continue
		}
		if _, anon := v.Labels[labelEngineAnonymous]; !anon && v.Labels[LabelScope] != scope {
			continue
		}
		_, err = cli.VolumeCreate(ctx, volume.CreateOptions{
			Name:   markerName(name),
			Labels: map[string]string{labelAnonScope: scope, labelAnonVolume: name},
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func markerName(volume string) string { return "tpdocker-anonyme-" + volume }

// RemoveScope removes every object of the suite whose scope matches:
// containers (with their anonymous volumes), then networks, volumes
// (marked anonymous ones included, then their markers) and images, and the
// sentinels of the same scopes. It goes over the engine again until a pass
// finds nothing left: a removal that fails because another is already in
// progress, because a network still has endpoints, or because an object
// appeared meanwhile (a request that was still in flight) is tried again.
// It stops when ctx ends, or after CleanupLimit if ctx has no deadline;
// its error then names, in French, what remains. It returns what it
// removed besides the sentinels and markers ("conteneur NAME",
// "réseau NAME"...).
func RemoveScope(ctx context.Context, cli *client.Client, match func(scope string) bool) ([]string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, CleanupLimit)
		defer cancel()
	}
	var removed []string
	wait := 50 * time.Millisecond
	for {
		p := removalPass{ctx: ctx, cli: cli, match: match}
		p.run()
		removed = append(removed, p.removed...)
		if p.found == 0 {
			return removed, nil
		}
		if len(p.left) == 0 {
			wait = 50 * time.Millisecond // all went: look once more at once
		}
		select {
		case <-ctx.Done():
			return removed, &Remaining{Objects: p.left, Err: errors.Join(p.errs...)}
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Remaining is the error of a cleanup that ran out of time.
type Remaining struct {
	Objects []string // what could not be removed, in French
	Err     error    // the engine's last answers
}

func (r *Remaining) Error() string {
	if len(r.Objects) == 0 {
		return fmt.Sprintf("nettoyage interrompu : %v", r.Err)
	}
	return fmt.Sprintf("%d objet(s) restent : %s (%v)", len(r.Objects), strings.Join(r.Objects, ", "), r.Err)
}

// removalPass is one pass of RemoveScope over the engine.
type removalPass struct {
	ctx     context.Context
	cli     *client.Client
	match   func(string) bool
	found   int      // objects of the scope seen on the engine
	removed []string // removed in this pass, as reported
	left    []string // seen and not removed
	errs    []error
}

// labelKeys are the labels whose value is a scope: the suite's objects and
// the sentinels.
var labelKeys = []string{LabelScope, LabelSentinel}

func (p *removalPass) run() {
	for _, key := range labelKeys {
		report := key == LabelScope
		args := filters.NewArgs(filters.Arg("label", key))
		cs, err := p.cli.ContainerList(p.ctx, container.ListOptions{All: true, Filters: args})
		p.listed(err)
		for _, c := range cs {
			if p.match(c.Labels[key]) {
				p.remove(report, "conteneur "+strings.TrimPrefix(firstOr(c.Names, c.ID), "/"), func() error {
					return p.cli.ContainerRemove(p.ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
				})
			}
		}
	}
	// The marked anonymous volumes, then their markers: a marker goes
	// only once its volume is gone, so a volume is never left unfound.
	ms, err := p.cli.VolumeList(p.ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", labelAnonScope))})
	p.listed(err)
	for _, m := range ms.Volumes {
		if !p.match(m.Labels[labelAnonScope]) {
			continue
		}
		name := m.Labels[labelAnonVolume]
		if p.remove(true, "volume "+ShortID(name), func() error { return p.cli.VolumeRemove(p.ctx, name, true) }) {
			p.remove(false, "marqueur "+m.Name, func() error { return p.cli.VolumeRemove(p.ctx, m.Name, true) })
		}
	}
	for _, key := range labelKeys {
		report := key == LabelScope
		args := filters.NewArgs(filters.Arg("label", key))
		ns, err := p.cli.NetworkList(p.ctx, network.ListOptions{Filters: args})
		p.listed(err)
		for _, n := range ns {
			if p.match(n.Labels[key]) {
				p.remove(report, "réseau "+n.Name, func() error { return p.cli.NetworkRemove(p.ctx, n.ID) })
			}
		}
		vs, err := p.cli.VolumeList(p.ctx, volume.ListOptions{Filters: args})
		p.listed(err)
		for _, v := range vs.Volumes {
			if p.match(v.Labels[key]) {
				p.remove(report, "volume "+v.Name, func() error { return p.cli.VolumeRemove(p.ctx, v.Name, true) })
			}
		}
		ims, err := p.cli.ImageList(p.ctx, image.ListOptions{All: true, Filters: args})
		p.listed(err)
		for _, im := range ims {
			if p.match(im.Labels[key]) {
				p.remove(report, "image "+firstOr(im.RepoTags, ShortID(im.ID)), func() error {
					_, err := p.cli.ImageRemove(p.ctx, im.ID, image.RemoveOptions{Force: true, PruneChildren: true})
					return err
				})
			}
		}
	}
}

// listed counts a failed listing as something left: the pass cannot say
// the scope is clean.
func (p *removalPass) listed(err error) {
	if err != nil {
		p.found++
		p.errs = append(p.errs, err)
	}
}

// remove removes one object of the scope, and reports whether it is gone
// (one already gone is, but is not counted as removed).
func (p *removalPass) remove(report bool, what string, rm func() error) bool {
	p.found++
	switch err := rm(); {
	case err == nil:
		if report {
			p.removed = append(p.removed, what)
		}
	case cerrdefs.IsNotFound(err):
	default:
		p.left = append(p.left, what)
		p.errs = append(p.errs, err)
		return false
	}
	return true
}

func firstOr(list []string, other string) string {
	if len(list) > 0 {
		return list[0]
	}
	return other
}

// ShortID is the 12-hex form of an engine ID, as docker prints it.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
