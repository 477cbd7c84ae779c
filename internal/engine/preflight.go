package engine

// Preflight: everything the scripts need, checked in order before anything
// is created.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// StandinsCommand builds the stand-in images where no registry answers.
const StandinsCommand = "bash standins/build.sh"

// LabImages are the lab's images, as the report names them.
var LabImages = []string{"hello-world:latest", "alpine:latest", "python:3.9-slim", "postgres:16"}

// LabPorts are the ports the lab publishes on the host (8001: the -p check
// of exercise 8).
var LabPorts = []int{8000, 5432, 8001}

// Problem is a problem the user can fix, said in one or two lines.
type Problem struct{ Msg string }

func (e *Problem) Error() string { return e.Msg }

// Problemf formats a Problem.
func Problemf(format string, args ...any) error {
	return &Problem{fmt.Sprintf(format, args...)}
}

// Info is what a verified run records about its engine.
type Info struct {
	Engine, Client, Compose string
	Builder                 string // "BuildKit (buildx 0.38.2)"
	Store                   string // "containerd" or the graph driver's name
	Images                  map[string]Image
}

// Image is one of the lab's images as the engine has it.
type Image struct {
	Name   string
	Kind   string // "official" or "standin"
	Origin string // the registry digest, or what a stand-in stands for
	ID     string
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

// CheckSystem refuses Windows outside WSL2: the scripts' commands are those
// of a Linux or macOS terminal, their interactive sessions need a Unix
// pseudo-terminal, and Docker Desktop gives WSL2 the engine, buildx and
// Compose. It is the first check, before anything talks to the engine.
func CheckSystem() error { return checkSystem(runtime.GOOS) }

func checkSystem(goos string) error {
	if goos == "windows" {
		return Problemf("Sous Windows, les tests Docker se lancent dans WSL2 : ouvrez un terminal WSL2 (Ubuntu ou Debian) où Go est installé, et lancez-y go test depuis le dépôt (ici, go test -short lance seulement les tests sans Docker).\nDocker Desktop y fournit le moteur, buildx et Compose : activez son intégration WSL pour cette distribution (Settings > Resources > WSL integration).")
	}
	return nil
}

// Preflight checks, in order, everything the scripts need, before anything
// is created. Each failure is a *Problem that says what is wrong and what
// to do.
func Preflight(ctx context.Context, cli *client.Client, host string) (*Info, error) {
	if err := CheckSystem(); err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		return nil, Problemf("Docker ne répond pas sur %s : %s ou corrigez DOCKER_HOST.\n(go test -short lance seulement les tests sans Docker.)", host, startHint(runtime.GOOS))
	}
	ver, err := cli.ServerVersion(pctx)
	if err != nil {
		return nil, Problemf("Docker répond mal sur %s (%v).", host, err)
	}
	if err := CheckEngineVersion(ver.Version, ver.APIVersion); err != nil {
		return nil, err
	}
	info := &Info{Engine: ver.Version, Images: map[string]Image{}}
	if out, err := exec.CommandContext(pctx, "docker", "version", "--format", "{{.Client.Version}}").Output(); err == nil {
		info.Client = strings.TrimSpace(string(out))
	}
	out, err := exec.CommandContext(pctx, "docker", "buildx", "version").Output()
	if err != nil {
		return nil, Problemf("Le plugin Docker buildx est absent (« docker buildx version » échoue) : sans lui, docker build prend l'ancien constructeur et non BuildKit.\nInstallez le paquet docker-buildx-plugin, ou lancez « bash .ci/install-engine buildx ».")
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
		return nil, Problemf("Le plugin Docker Compose v2 est absent (« docker compose version » échoue) : installez le paquet docker-compose-plugin, ou lancez « bash .ci/install-compose ».")
	}
	info.Compose = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")

	if err := CheckPorts(); err != nil {
		return nil, err
	}
	if err := foreignNames(ctx, cli); err != nil {
		return nil, err
	}
	for _, ref := range LabImages {
		im, err := EnsureImage(ctx, cli, ref)
		if err != nil {
			return nil, err
		}
		info.Images[ref] = im
	}
	return info, nil
}

// startHint says how to start the engine on the system goos.
func startHint(goos string) string {
	if goos == "darwin" {
		return "lancez Docker Desktop"
	}
	return "démarrez le démon (sudo systemctl start docker, ou « dockerd & » en root)"
}

// portHolderCommand is the command that shows which program listens on a
// TCP port, on the system goos.
func portHolderCommand(goos string, port int) string {
	if goos == "darwin" {
		return fmt.Sprintf("lsof -nP -iTCP:%d -sTCP:LISTEN", port)
	}
	return fmt.Sprintf("ss -ltnp 'sport = :%d'", port)
}

// CheckEngineVersion refuses an engine older than the scripts are written
// for, before any of them fails on an output it cannot print.
func CheckEngineVersion(version, api string) error {
	if apiAtLeast(api, minEngineAPI) {
		return nil
	}
	return Problemf("Le moteur Docker %s (API %s) est trop ancien : les scripts demandent Docker Engine %s ou plus récent (API %s), avec BuildKit comme constructeur.\nMettez Docker à jour (Docker Desktop, ou les paquets docker-ce), ou construisez un moteur récent avec « bash .ci/install-engine ».", version, api, minEngineRelease, minEngineAPI)
}

// CheckPorts makes sure the lab's host ports are free.
func CheckPorts() error { return checkPorts(LabPorts) }

func checkPorts(ports []int) error {
	for _, p := range ports {
		if err := portFree(p); err != nil {
			return Problemf("Le port %d est déjà pris sur cette machine (%v) : libérez-le (« %s » montre qui l'occupe), puis relancez go test.", p, err, portHolderCommand(runtime.GOOS, p))
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
		if _, ours := im.Labels[LabelScope]; !ours {
			return Problemf("L'image %s existe déjà et n'a pas été créée par la suite : les scripts la remplaceraient. Renommez-la d'abord (docker tag %[1]s mon-%[1]s && docker rmi %[1]s).", strings.Join(im.RepoTags, ", "))
		}
	}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", "^/tpdocker-(db|api)-[0-9]+$"))})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if _, ours := c.Labels[LabelScope]; !ours {
			return Problemf("Le conteneur %s existe déjà et n'a pas été créé par la suite : le projet Compose « tpdocker » des scripts entrerait en conflit. Arrêtez ce projet (docker compose -p tpdocker down) ou renommez le conteneur.", strings.TrimPrefix(c.Names[0], "/"))
		}
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", "tpdocker"))})
	if err != nil {
		return err
	}
	for _, n := range ns {
		if _, ours := n.Labels[LabelScope]; !ours && (n.Name == "tpdocker_default" || n.Name == "tpdocker-manuel") {
			return Problemf("Le réseau %s existe déjà et n'a pas été créé par la suite : supprimez-le (docker network rm %[1]s) ou arrêtez le projet Compose « tpdocker ».", n.Name)
		}
	}
	return nil
}

// EnsureImage makes sure an image of the lab is present: already there
// (official or stand-in), or pulled from a registry.
func EnsureImage(ctx context.Context, cli *client.Client, ref string) (Image, error) {
	ins, err := cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		rc, perr := cli.ImagePull(pctx, ref, image.PullOptions{})
		if perr == nil {
			_, perr = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if perr != nil {
			return Image{}, Problemf("Image %s absente et impossible à télécharger (aucun registre joignable ?) : construisez les images de remplacement avec « %s », puis relancez go test.", ref, StandinsCommand)
		}
		ins, err = cli.ImageInspect(ctx, ref)
	}
	if err != nil {
		return Image{}, err
	}
	im := Image{Name: ref, Kind: "official", ID: ins.ID}
	var labels map[string]string
	if ins.Config != nil {
		labels = ins.Config.Labels
	}
	if labels[LabelStandin] == "true" {
		im.Kind = "standin"
		im.Origin = labels[LabelOrigin]
	} else if len(ins.RepoDigests) > 0 {
		im.Origin = ins.RepoDigests[0]
	}
	return im, nil
}
