package tpdocker_test

// Talking to the real engine through its API: preflight checks, image
// provenance and cleanup of what the suite created (found by its labels).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
)

const (
	labelScope   = "tpdocker.scope" // the run and the script that created an object: "<run>.<script>"
	labelStandin = "tpdocker.standin"
	labelOrigin  = "tpdocker.standin.origin"

	standinsCommand = "bash standins/build.sh"
)

// The lab's images, as the report names them.
var labImages = []string{"hello-world:latest", "alpine:latest", "python:3.9-slim", "postgres:16"}

// Ports the lab publishes on the host (8001: the -p check of exercise 8).
var labPorts = []int{8000, 5432, 8001}

// engineHost returns the engine address the docker CLI uses.
func engineHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	out, err := exec.Command("docker", "context", "inspect", "--format", "{{.Endpoints.docker.Host}}").Output()
	if h := strings.TrimSpace(string(out)); err == nil && h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

func newEngineClient(host string) (*client.Client, error) {
	return client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
}

// preflightError is a problem the user can fix, said in one or two lines.
type preflightError struct{ msg string }

func (e *preflightError) Error() string { return e.msg }

func problem(format string, args ...any) error {
	return &preflightError{fmt.Sprintf(format, args...)}
}

// engineInfo is what a verified run records about its engine.
type engineInfo struct {
	Engine, Client, Compose string
	Builder                 string // "BuildKit (buildx 0.38.2)"
	Store                   string // "containerd" or the graph driver's name
	Images                  map[string]imageInfo
}

// The oldest engine the scripts are written for: Docker Engine 23.0 (API
// 1.42), the first where BuildKit is the default builder on Linux.
const (
	minEngineAPI     = "1.42"
	minEngineRelease = "23.0"
)

// apiAtLeast compares two API versions such as "1.41" and "1.42".
func apiAtLeast(v, min string) bool {
	var a, b, c, d int
	fmt.Sscanf(v, "%d.%d", &a, &b)
	fmt.Sscanf(min, "%d.%d", &c, &d)
	return a > c || (a == c && b >= d)
}

type imageInfo struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"` // "official" or "standin"
	Origin string `json:"origin"`
	ID     string `json:"-"`
}

// preflight checks, in order, everything the scripts need, before anything
// is created. Each failure says what is wrong and what to do.
func preflight(ctx context.Context, cli *client.Client, host string) (*engineInfo, error) {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		return nil, problem("Docker ne répond pas sur %s : démarrez le démon (sudo systemctl start docker, ou « dockerd & » en root) ou corrigez DOCKER_HOST.\n(go test -short lance seulement les tests sans Docker.)", host)
	}
	ver, err := cli.ServerVersion(pctx)
	if err != nil {
		return nil, problem("Docker répond mal sur %s (%v).", host, err)
	}
	if err := checkEngineVersion(ver.Version, ver.APIVersion); err != nil {
		return nil, err
	}
	info := &engineInfo{Engine: ver.Version, Images: map[string]imageInfo{}}
	if out, err := exec.CommandContext(pctx, "docker", "version", "--format", "{{.Client.Version}}").Output(); err == nil {
		info.Client = strings.TrimSpace(string(out))
	}
	out, err := exec.CommandContext(pctx, "docker", "buildx", "version").Output()
	if err != nil {
		return nil, problem("Le plugin Docker buildx est absent (« docker buildx version » échoue) : sans lui, docker build prend l'ancien constructeur et non BuildKit.\nInstallez le paquet docker-buildx-plugin, ou lancez « bash .ci/install-engine buildx ».")
	}
	if f := strings.Fields(string(out)); len(f) >= 2 {
		info.Builder = "BuildKit (buildx " + strings.TrimPrefix(f[1], "v") + ")"
	}
	if di, err := cli.Info(pctx); err == nil {
		info.Store = di.Driver
		for _, kv := range di.DriverStatus {
			if kv[0] == "driver-type" && strings.HasPrefix(kv[1], "io.containerd.snapshotter") {
				info.Store = "containerd"
			}
		}
	}
	out, err = exec.CommandContext(pctx, "docker", "compose", "version", "--short").Output()
	if err != nil {
		return nil, problem("Le plugin Docker Compose v2 est absent (« docker compose version » échoue) : installez le paquet docker-compose-plugin, ou lancez « bash .ci/install-compose ».")
	}
	info.Compose = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")

	if err := checkPorts(); err != nil {
		return nil, err
	}
	if err := foreignNames(ctx, cli); err != nil {
		return nil, err
	}
	for _, ref := range labImages {
		im, err := ensureImage(ctx, cli, ref)
		if err != nil {
			return nil, err
		}
		info.Images[ref] = im
	}
	return info, nil
}

// checkEngineVersion refuses an engine older than the scripts are written
// for, before any of them fails on an output it cannot print.
func checkEngineVersion(version, api string) error {
	if apiAtLeast(api, minEngineAPI) {
		return nil
	}
	return problem("Le moteur Docker %s (API %s) est trop ancien : les scripts demandent Docker Engine %s ou plus récent (API %s), avec BuildKit comme constructeur.\nMettez Docker à jour (Docker Desktop, ou les paquets docker-ce), ou construisez un moteur récent avec « bash .ci/install-engine ».", version, api, minEngineRelease, minEngineAPI)
}

// checkPorts makes sure the lab's host ports are free.
func checkPorts() error {
	for _, p := range labPorts {
		if err := portFree(p); err != nil {
			return problem("Le port %d est déjà pris sur cette machine (%v) : libérez-le (« ss -ltnp 'sport = :%d' » montre qui l'occupe), puis relancez go test.", p, err, p)
		}
	}
	return nil
}

// portFree tells whether a TCP port can be bound on all interfaces, as
// "docker run -p" would.
func portFree(port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return errors.New("adresse déjà utilisée")
		}
		return err
	}
	return ln.Close()
}

// foreignNames refuses to start when the lab's fixed names are already taken
// by objects the suite did not create: the scripts would replace or reuse them.
func foreignNames(ctx context.Context, cli *client.Client) error {
	ims, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", "simple-api"), filters.Arg("reference", "tpdocker-api"))})
	if err != nil {
		return err
	}
	for _, im := range ims {
		if _, ours := im.Labels[labelScope]; !ours {
			return problem("L'image %s existe déjà et n'a pas été créée par la suite : les scripts la remplaceraient. Renommez-la d'abord (docker tag %[1]s mon-%[1]s && docker rmi %[1]s).", strings.Join(im.RepoTags, ", "))
		}
	}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", "^/tpdocker-(db|api)-[0-9]+$"))})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if _, ours := c.Labels[labelScope]; !ours {
			return problem("Le conteneur %s existe déjà et n'a pas été créé par la suite : le projet Compose « tpdocker » des scripts entrerait en conflit. Arrêtez ce projet (docker compose -p tpdocker down) ou renommez le conteneur.", strings.TrimPrefix(c.Names[0], "/"))
		}
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", "tpdocker"))})
	if err != nil {
		return err
	}
	for _, n := range ns {
		if _, ours := n.Labels[labelScope]; !ours && (n.Name == "tpdocker_default" || n.Name == "tpdocker-manuel") {
			return problem("Le réseau %s existe déjà et n'a pas été créé par la suite : supprimez-le (docker network rm %[1]s) ou arrêtez le projet Compose « tpdocker ».", n.Name)
		}
	}
	return nil
}

// ensureImage makes sure an image of the lab is present: already there
// (official or stand-in), or pulled from a registry.
func ensureImage(ctx context.Context, cli *client.Client, ref string) (imageInfo, error) {
	ins, err := cli.ImageInspect(ctx, ref)
	if client.IsErrNotFound(err) {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		rc, perr := cli.ImagePull(pctx, ref, image.PullOptions{})
		if perr == nil {
			_, perr = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if perr != nil {
			return imageInfo{}, problem("Image %s absente et impossible à télécharger (aucun registre joignable ?) : construisez les images de remplacement avec « %s », puis relancez go test.", ref, standinsCommand)
		}
		ins, err = cli.ImageInspect(ctx, ref)
	}
	if err != nil {
		return imageInfo{}, err
	}
	im := imageInfo{Name: ref, Kind: "official", ID: ins.ID}
	var labels map[string]string
	if ins.Config != nil {
		labels = ins.Config.Labels
	}
	if labels[labelStandin] == "true" {
		im.Kind = "standin"
		im.Origin = labels[labelOrigin]
	} else if len(ins.RepoDigests) > 0 {
		im.Origin = ins.RepoDigests[0]
	}
	return im, nil
}

// Which scopes to clean: one script's, one run's, or all (dead runs).
func scopeIs(scope string) func(string) bool { return func(s string) bool { return s == scope } }
func runIs(runID string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, runID+".") }
}
func anyScope(string) bool { return true }

// removeLabelled removes every container (with its anonymous volumes),
// network and volume whose label key has a value that matches, and the
// images too when withImages is set. It returns what it removed.
func removeLabelled(ctx context.Context, cli *client.Client, key string, match func(value string) bool, withImages bool) ([]string, error) {
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
				name := shortID(im.ID)
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

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// The engine lock keeps two runs of the suite, from any user, clone or
// machine that talks to the same engine, from sharing its fixed names and
// ports. It lives on the engine itself: a container named lockName that runs
// "cat" with its standard input attached to this process. When the process
// ends, however it ends, the engine sees the attachment close, cat reads the
// end of its input and exits, and the engine removes the container: a run
// that holds the lock is alive, however slow, and a dead run's lock is gone.
const (
	lockName      = "tpdocker-verrou"
	labelLockRun  = "tpdocker.lock.run"
	labelLockWho  = "tpdocker.lock.user"
	labelLockFrom = "tpdocker.lock.started"
)

var lockWait = flag.Duration("attente", 10*time.Minute, "how long to wait for another run of the suite to free the engine")

// engineLock takes the engine's lock for this run, waiting for another run
// to finish for at most *lockWait, and returns what releases it.
func engineLock(ctx context.Context, cli *client.Client, runID string) (func(), error) {
	if _, err := ensureImage(ctx, cli, "alpine:latest"); err != nil {
		return nil, err
	}
	who := fmt.Sprint(os.Getuid())
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	deadline := time.Now().Add(*lockWait)
	said := false
	for {
		unlock, err := tryEngineLock(ctx, cli, runID, who)
		if err == nil {
			return unlock, nil
		}
		if !errdefs.IsConflict(err) {
			return nil, err
		}
		holder, err := cli.ContainerInspect(ctx, lockName)
		if client.IsErrNotFound(err) {
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
			return nil, problem("Le moteur Docker est occupé par une autre exécution de la suite (%s) depuis plus de %v : attendez qu'elle se termine, ou relancez avec « go test -attente 30m ».", desc, *lockWait)
		}
		if !said {
			fmt.Printf("tpdocker: le moteur est occupé par une autre exécution de la suite (%s) ; attente, %v au plus…\n", desc, *lockWait)
			said = true
		}
		time.Sleep(time.Second)
	}
}

func tryEngineLock(ctx context.Context, cli *client.Client, runID, who string) (func(), error) {
	c, err := cli.ContainerCreate(ctx, &container.Config{
		Image: "alpine:latest", Cmd: []string{"cat"},
		OpenStdin: true, StdinOnce: true, AttachStdin: true,
		Labels: map[string]string{labelLockRun: runID, labelLockWho: who, labelLockFrom: time.Now().Format("2006-01-02 15:04:05 MST")},
	}, &container.HostConfig{AutoRemove: true, NetworkMode: "none"}, nil, nil, lockName)
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

// The anonymous volumes of the suite's containers carry no label: the run
// writes their names down as it goes, so that a run that died before its
// cleanup leaves a list the next run finds.
func volumeListPath(runID string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "tpdocker", "volumes-"+runID+".txt")
}

func rememberVolumes(names []string) {
	if len(names) == 0 {
		return
	}
	os.MkdirAll(filepath.Dir(volumeListPath(suite.runID)), 0o755)
	f, err := os.OpenFile(volumeListPath(suite.runID), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(strings.Join(names, "\n") + "\n")
}

// removeVolumes removes the named volumes that still exist.
func removeVolumes(ctx context.Context, cli *client.Client, names []string) ([]string, error) {
	var removed []string
	var errs []error
	for _, v := range names {
		err := cli.VolumeRemove(ctx, v, true)
		switch {
		case err == nil:
			removed = append(removed, "volume "+shortID(v))
		case !client.IsErrNotFound(err):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// removeDeadRunVolumes removes the volumes listed by runs other than this
// one (the suite lock is held: those runs are over), then their lists.
func removeDeadRunVolumes(ctx context.Context, cli *client.Client) ([]string, error) {
	lists, _ := filepath.Glob(volumeListPath("*"))
	var removed []string
	var errs []error
	for _, l := range lists {
		if l == volumeListPath(suite.runID) {
			continue
		}
		data, _ := os.ReadFile(l)
		r, err := removeVolumes(ctx, cli, strings.Fields(string(data)))
		removed = append(removed, r...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		os.Remove(l)
	}
	return removed, errors.Join(errs...)
}

func imageListByLabel(l string) image.ListOptions {
	return image.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", l))}
}

var imageRemoveAll = image.RemoveOptions{Force: true, PruneChildren: true}
