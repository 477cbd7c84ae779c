package tpdocker_test

// sentinel create | check: objects that stand for the reader's own. They are
// made directly on the engine, outside the script's view, and carry no scope
// label, only tpdocker.sentinel so the run can remove them at its end: a
// stopped and a running container, a dangling image, a volume and a network.
// Exactly what "docker container prune" and "docker image prune" would
// remove on an engine without the proxy. "sentinel check" proves they are
// all still there.

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/rogpeppe/go-internal/testscript"
)

const labelSentinel = "tpdocker.sentinel"

type sentinels struct {
	stopped, running, image, volume, network string
}

var sentinelsOf = map[string]*sentinels{} // by script, under suite.mu

func cmdSentinel(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || (args[0] != "create" && args[0] != "check") {
		ts.Fatalf("usage: sentinel create|check")
	}
	name := scriptNameOf(ts)
	ctx := context.Background()
	if args[0] == "create" {
		s, err := createSentinels(ctx, suite.runID+"."+name)
		ts.Check(err)
		suite.mu.Lock()
		sentinelsOf[name] = s
		suite.mu.Unlock()
		fmt.Fprintf(ts.Stdout(), "sentinelles créées hors du script : conteneurs %s (arrêté) et %s (en marche), image pendante %s, volume %s, réseau %s\n",
			shortID(s.stopped), shortID(s.running), shortID(s.image), shortID(s.volume), shortID(s.network))
		return
	}
	suite.mu.Lock()
	s := sentinelsOf[name]
	suite.mu.Unlock()
	if s == nil {
		ts.Fatalf("sentinel check sans sentinel create")
	}
	cli := suite.cli
	for _, c := range []string{s.stopped, s.running} {
		_, err := cli.ContainerInspect(ctx, c)
		ts.Check(err)
	}
	_, err := cli.ImageInspect(ctx, s.image)
	ts.Check(err)
	_, err = cli.VolumeInspect(ctx, s.volume)
	ts.Check(err)
	_, err = cli.NetworkInspect(ctx, s.network, network.InspectOptions{})
	ts.Check(err)
	fmt.Fprintln(ts.Stdout(), "sentinelles intactes : 2 conteneurs, 1 image pendante, 1 volume, 1 réseau")
}

func scriptNameOf(ts *testscript.TestScript) string {
	w := ts.Getenv("WORK")
	return strings.TrimPrefix(w[strings.LastIndex(w, "/")+1:], "script-")
}

func createSentinels(ctx context.Context, value string) (*sentinels, error) {
	cli := suite.cli
	labels := map[string]string{labelSentinel: value}
	s := &sentinels{}
	for i, cmd := range [][]string{{"true"}, {"sleep", "3600"}} {
		c, err := cli.ContainerCreate(ctx, &container.Config{Image: "alpine", Cmd: cmd, Labels: labels}, nil, nil, nil, "")
		if err != nil {
			return nil, err
		}
		if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			return nil, err
		}
		if i == 0 {
			wait, errc := cli.ContainerWait(ctx, c.ID, container.WaitConditionNotRunning)
			select {
			case <-wait:
			case err := <-errc:
				return nil, err
			}
			s.stopped = c.ID
		} else {
			s.running = c.ID
		}
	}
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	df := []byte("FROM alpine\nLABEL " + labelSentinel + "=" + value + "\n")
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df))})
	tw.Write(df)
	tw.Close()
	resp, err := cli.ImageBuild(ctx, &ctxTar, build.ImageBuildOptions{Remove: true, ForceRemove: true, Labels: labels})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ims, err := cli.ImageList(ctx, imageListByLabel(labelSentinel+"="+value))
	if err != nil || len(ims) == 0 {
		return nil, fmt.Errorf("image sentinelle introuvable après construction (%v)", err)
	}
	s.image = ims[0].ID
	// It must be what "docker image prune" removes on an engine without
	// the proxy, or surviving the prune would prove nothing.
	dangling, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("dangling", "true"), filters.Arg("label", labelSentinel+"="+value))})
	if err != nil || len(dangling) != 1 {
		return nil, fmt.Errorf("l'image sentinelle n'est pas une image pendante (%d trouvée(s), %v)", len(dangling), err)
	}
	v, err := cli.VolumeCreate(ctx, volume.CreateOptions{Labels: labels})
	if err != nil {
		return nil, err
	}
	s.volume = v.Name
	n, err := cli.NetworkCreate(ctx, "tpdocker-sentinelle-"+strings.ReplaceAll(value, ".", "-"), network.CreateOptions{Labels: labels})
	if err != nil {
		return nil, err
	}
	s.network = n.ID
	return s, nil
}

// removeSentinels removes the sentinels of a script, of a run, or of any run.
func removeSentinels(ctx context.Context, match func(string) bool) {
	removeLabelled(ctx, suite.cli, labelSentinel, match, true)
}
