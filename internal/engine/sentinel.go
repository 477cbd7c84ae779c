package engine

// Sentinels stand for a reader's own objects. They are made directly on the
// engine, outside a script's view, and carry no scope label, only
// LabelSentinel so that the run can remove them at its end (RemoveScope): a stopped and a
// running container, a dangling image, a volume and a network. Exactly what
// "docker container prune" and "docker image prune" would remove on an
// engine without the scope proxy. Check proves they are all still there.

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
	"github.com/docker/docker/client"
)

// Sentinels are the IDs (a volume's name) of one set of sentinels.
type Sentinels struct {
	Stopped, Running, Image, Volume, Network string
}

// CreateSentinels makes a set of sentinels labelled LabelSentinel=value.
func CreateSentinels(ctx context.Context, cli *client.Client, value string) (*Sentinels, error) {
	labels := map[string]string{LabelSentinel: value}
	s := &Sentinels{}
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
			s.Stopped = c.ID
		} else {
			s.Running = c.ID
		}
	}
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	df := []byte("FROM alpine\nLABEL " + LabelSentinel + "=" + value + "\n")
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df))})
	tw.Write(df)
	tw.Close()
	resp, err := cli.ImageBuild(ctx, &ctxTar, build.ImageBuildOptions{Remove: true, ForceRemove: true, Labels: labels})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ims, err := cli.ImageList(ctx, image.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelSentinel+"="+value))})
	if err != nil || len(ims) == 0 {
		return nil, fmt.Errorf("image sentinelle introuvable après construction (%v)", err)
	}
	s.Image = ims[0].ID
	// It must be what "docker image prune" removes on an engine without
	// the proxy, or surviving the prune would prove nothing.
	dangling, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("dangling", "true"), filters.Arg("label", LabelSentinel+"="+value))})
	if err != nil || len(dangling) != 1 {
		return nil, fmt.Errorf("l'image sentinelle n'est pas une image pendante (%d trouvée(s), %v)", len(dangling), err)
	}
	v, err := cli.VolumeCreate(ctx, volume.CreateOptions{Labels: labels})
	if err != nil {
		return nil, err
	}
	s.Volume = v.Name
	n, err := cli.NetworkCreate(ctx, "tpdocker-sentinelle-"+strings.ReplaceAll(value, ".", "-"), network.CreateOptions{Labels: labels})
	if err != nil {
		return nil, err
	}
	s.Network = n.ID
	return s, nil
}

// Check returns an error if one of the sentinels is gone.
func (s *Sentinels) Check(ctx context.Context, cli *client.Client) error {
	for _, c := range []string{s.Stopped, s.Running} {
		if _, err := cli.ContainerInspect(ctx, c); err != nil {
			return err
		}
	}
	if _, err := cli.ImageInspect(ctx, s.Image); err != nil {
		return err
	}
	if _, err := cli.VolumeInspect(ctx, s.Volume); err != nil {
		return err
	}
	_, err := cli.NetworkInspect(ctx, s.Network, network.InspectOptions{})
	return err
}
