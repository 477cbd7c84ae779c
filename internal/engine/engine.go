// Package engine talks to the Docker engine the lab's scripts run against:
// where it listens and a client for it, the checks made before anything is
// created (each failure said in French, in a line or two, with what to do),
// the engine-wide lock that keeps two runs of the suite apart, the cleanup
// of what the suite created (found by its labels), and the sentinels that
// stand for a reader's own objects.
//
// Everything the suite creates carries the label LabelScope, whose value
// is "<run>.<script>": cleanup removes one script's objects, one run's, or
// those of dead runs, and never an object without the label.
package engine

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/docker/docker/client"
)

// Labels the suite puts on the engine's objects.
const (
	LabelScope    = "tpdocker.scope"          // the run and the script that created an object: "<run>.<script>"
	LabelStandin  = "tpdocker.standin"        // on a stand-in image of the lab: "true"
	LabelOrigin   = "tpdocker.standin.origin" // what a stand-in image stands for
	LabelSentinel = "tpdocker.sentinel"       // on a sentinel: the scope that made it
)

// Host returns the engine address the docker CLI uses: DOCKER_HOST, else
// the current context's endpoint, else the default socket.
func Host() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	out, err := exec.Command("docker", "context", "inspect", "--format", "{{.Endpoints.docker.Host}}").Output()
	if h := strings.TrimSpace(string(out)); err == nil && h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

// NewClient returns a client of the engine at host, at the API version the
// engine speaks.
func NewClient(host string) (*client.Client, error) {
	return client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
}

// Connect returns the engine address the docker CLI uses (Host) and a
// client of it, once the engine has answered a ping within five seconds.
// On Windows outside WSL2, it returns CheckSystem's *Problem.
func Connect() (host string, cli *client.Client, err error) {
	if err := CheckSystem(); err != nil {
		return "", nil, err
	}
	host = Host()
	if cli, err = NewClient(host); err != nil {
		return host, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		return host, nil, err
	}
	return host, cli, nil
}

// Addr is where the real engine listens: a unix socket path or a host:port
// for tcp.
type Addr struct {
	Network, Address string
}

// ParseHost reads a DOCKER_HOST value: unix:// or tcp:// without TLS.
func ParseHost(host string) (Addr, error) {
	u, err := url.Parse(host)
	if err != nil {
		return Addr{}, err
	}
	switch u.Scheme {
	case "unix":
		return Addr{"unix", u.Path}, nil
	case "tcp", "http":
		return Addr{"tcp", u.Host}, nil
	}
	return Addr{}, fmt.Errorf("DOCKER_HOST %q : seuls unix:// et tcp:// (sans TLS) sont pris en charge par la suite", host)
}

// Dial opens a connection to the engine.
func (a Addr) Dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, a.Network, a.Address)
}
