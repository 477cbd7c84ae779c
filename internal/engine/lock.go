package engine

// The engine lock keeps two runs of the suite, from any user, clone or
// machine that talks to the same engine, from sharing its fixed names and
// ports. It lives on the engine itself: a container named LockName that runs
// "cat" with its standard input attached to this process. When the process
// ends, however it ends, the engine sees the attachment close, cat reads the
// end of its input and exits, and the engine removes the container: a run
// that holds the lock is alive, however slow, and a dead run's lock is gone.

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// LockName is the name of the lock's container.
const LockName = "tpdocker-verrou"

const (
	labelLockRun  = "tpdocker.lock.run"
	labelLockWho  = "tpdocker.lock.user"
	labelLockFrom = "tpdocker.lock.started"
)

// Lock takes the engine's lock for the run runID, waiting for another run
// to finish for at most wait, and returns what releases it. While it waits,
// it calls waiting once with a description of the holder, in French.
func Lock(ctx context.Context, cli *client.Client, runID string, wait time.Duration, waiting func(holder string)) (func(), error) {
	if _, err := EnsureImage(ctx, cli, "alpine:latest"); err != nil {
		return nil, err
	}
	who := fmt.Sprint(os.Getuid())
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	deadline := time.Now().Add(wait)
	said := false
	for {
		unlock, err := tryLock(ctx, cli, runID, who)
		if err == nil {
			return unlock, nil
		}
		if !cerrdefs.IsConflict(err) {
			return nil, err
		}
		holder, err := cli.ContainerInspect(ctx, LockName)
		if cerrdefs.IsNotFound(err) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, err
		}
		l := holder.Config.Labels
		desc := fmt.Sprintf("exécution %s de %s, depuis %s", l[labelLockRun], l[labelLockWho], l[labelLockFrom])
		if !holder.State.Running {
			// Created but never started, or left stopped: its run died
			// between the two steps (a started lock removes itself).
			if created, _ := time.Parse(time.RFC3339Nano, holder.Created); time.Since(created) > 30*time.Second {
				cli.ContainerRemove(ctx, holder.ID, container.RemoveOptions{Force: true})
				continue
			}
		}
		if time.Now().After(deadline) {
			return nil, Problemf("Le moteur Docker est occupé par une autre exécution de la suite (%s) depuis plus de %v : attendez qu'elle se termine, ou relancez avec « go test -attente 30m ».", desc, wait)
		}
		if !said {
			waiting(desc)
			said = true
		}
		time.Sleep(time.Second)
	}
}

func tryLock(ctx context.Context, cli *client.Client, runID, who string) (func(), error) {
	c, err := cli.ContainerCreate(ctx, &container.Config{
		Image: "alpine:latest", Cmd: []string{"cat"},
		OpenStdin: true, StdinOnce: true, AttachStdin: true,
		Labels: map[string]string{labelLockRun: runID, labelLockWho: who, labelLockFrom: time.Now().Format("2006-01-02 15:04:05 MST")},
	}, &container.HostConfig{AutoRemove: true, NetworkMode: "none"}, nil, nil, LockName)
	if err != nil {
		return nil, err
	}
	att, err := cli.ContainerAttach(ctx, c.ID, container.AttachOptions{Stream: true, Stdin: true})
	if err == nil {
		err = cli.ContainerStart(ctx, c.ID, container.StartOptions{})
	}
	if err != nil {
		if att.Conn != nil {
			att.Close()
		}
		cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
		return nil, err
	}
	return func() {
		att.Close()
		cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	}, nil
}
