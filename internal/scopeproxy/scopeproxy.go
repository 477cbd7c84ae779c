// Package scopeproxy sits between a script's docker commands and the
// engine. Each script gets its own DOCKER_HOST, a unix socket served by a
// Proxy that forwards every request unchanged except for these:
//
//   - objects the script creates (containers, networks, volumes, built
//     images) get the scope label;
//   - listings of containers, networks and volumes, and every prune, are
//     filtered on the scope label; global prunes (build cache, system) are
//     refused; a network listing also keeps the engine's own networks
//     (bridge, host, none), which every engine has and no script creates;
//   - BuildKit builds, which travel inside gRPC requests on an upgraded
//     /grpc connection, get the label and a full build (internal/buildlabel);
//   - an answer that changes a container's state is held until the
//     engine's container listing agrees with it.
//
// So the report's commands run verbatim ("docker ps -a", "docker container
// prune"), each script sees the engine as if it were alone on it, and nothing
// the suite did not create is ever listed, pruned or removed. Upgraded
// connections (attach, exec with a terminal) keep their half-closes.
package scopeproxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"tpdocker/internal/buildlabel"
)

// Config says where the engine is and what scope a proxy gives its client.
type Config struct {
	Dial  func(ctx context.Context) (net.Conn, error) // a connection to the real engine
	Dir   string                                      // where the proxy's socket is made
	Label string                                      // the scope label's key
	Scope string                                      // its value for this client
	// Created is told of each container the client creates, and returns
	// its volumes (anonymous ones included), which listings then show.
	Created func(id string) []string
}

// Proxy is a running scope proxy.
type Proxy struct {
	dial   func(ctx context.Context) (net.Conn, error)
	labels map[string]string // added to created objects
	filter string            // "key=value" added to listings and prunes
	socket string
	ownDir string // the folder made for the socket when cfg.Dir was too deep
	ln     net.Listener
	srv    *http.Server
	rp     *httputil.ReverseProxy

	mu      sync.Mutex
	conns   map[net.Conn]struct{}    // hijacked connections, closed on shutdown
	created func(id string) []string // told of each container the script creates; returns its volumes
	volumes map[string]bool          // volumes of the script's containers, anonymous ones included
	resizes int                      // terminal resizes forwarded
	builds  int                      // BuildKit build requests labelled
	grpcErr error                    // first /grpc stream the proxy could not read
}

// buildAttrs are the frontend attributes added to every BuildKit build: the
// scope labels, and a full build, so that what a build prints never depends
// on what another script left in BuildKit's cache.
func (p *Proxy) buildAttrs() map[string]string {
	attrs := map[string]string{"no-cache": ""}
	for k, v := range p.labels {
		attrs["label:"+k] = v
	}
	return attrs
}

// maxSocketPath is the longest path a unix socket can have everywhere:
// 103 bytes on macOS (its address holds 104, a final NUL included), 108 on
// Linux.
const maxSocketPath = 103

// Start listens on a fresh unix socket, docker.sock in cfg.Dir, or in a
// folder of its own in the system's temporary folder when that path would
// be too long for a socket (macOS's temporary folders are deep).
func Start(cfg Config) (*Proxy, error) {
	created := cfg.Created
	if created == nil {
		created = func(string) []string { return nil }
	}
	p := &Proxy{
		dial:    cfg.Dial,
		created: created,
		volumes: map[string]bool{},
		labels:  map[string]string{cfg.Label: cfg.Scope},
		filter:  cfg.Label + "=" + cfg.Scope,
		socket:  filepath.Join(cfg.Dir, "docker.sock"),
		conns:   map[net.Conn]struct{}{},
	}
	if len(p.socket) > maxSocketPath {
		dir, err := os.MkdirTemp("", "tpdocker-")
		if err != nil {
			return nil, err
		}
		p.ownDir, p.socket = dir, filepath.Join(dir, "docker.sock")
	}
	os.Remove(p.socket)
	ln, err := net.Listen("unix", p.socket)
	if err != nil {
		if p.ownDir != "" {
			os.RemoveAll(p.ownDir)
		}
		return nil, err
	}
	p.ln = ln
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "http"
			r.Out.URL.Host = "docker"
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{
			DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return p.dial(ctx) },
			DisableKeepAlives: true,
		},
		FlushInterval: -1, // logs -f, build and pull progress stream through
		ModifyResponse: func(resp *http.Response) error {
			path := apiVersionPrefix.ReplaceAllString(resp.Request.URL.Path, "")
			switch {
			case path == "/containers/create" && resp.StatusCode == http.StatusCreated:
				var c struct{ Id string }
				raw, err := readBody(resp)
				if err == nil && json.Unmarshal(raw, &c) == nil && c.Id != "" {
					vs := p.created(c.Id)
					p.mu.Lock()
					for _, v := range vs {
						p.volumes[v] = true
					}
					p.mu.Unlock()
				}
				return err
			case path == "/volumes" && resp.Request.Method == http.MethodGet && resp.StatusCode == http.StatusOK:
				return p.filterVolumes(resp)
			case path == "/networks" && resp.Request.Method == http.MethodGet && resp.StatusCode == http.StatusOK:
				return p.filterNetworks(resp)
			}
			if m := stateChange.FindStringSubmatch(path); m != nil && resp.StatusCode < 300 {
				p.settle(resp, resp.Request.Method, m[1], m[2])
			}
			return nil
		},
	}
	p.srv = &http.Server{Handler: p}
	go p.srv.Serve(ln)
	return p, nil
}

// Host is the DOCKER_HOST of the proxy's clients.
func (p *Proxy) Host() string { return "unix://" + p.socket }

// Close stops the proxy and closes the connections it still forwards.
func (p *Proxy) Close() {
	p.srv.Close()
	p.closeUpgraded()
	os.Remove(p.socket)
	if p.ownDir != "" {
		os.RemoveAll(p.ownDir)
	}
}

// Drain stops the proxy the way an interrupted run needs it: it takes no
// new request, closes its upgraded connections (an attach, an exec, a
// BuildKit session: a build whose session ends is cancelled), lets the
// plain requests in flight finish for at most limit, so that what they
// create is on the engine before cleanup looks, then closes the rest.
func (p *Proxy) Drain(limit time.Duration) {
	p.ln.Close()
	p.closeUpgraded()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	p.srv.Shutdown(ctx)
	p.Close()
}

func (p *Proxy) closeUpgraded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

var apiVersionPrefix = regexp.MustCompile(`^/v[0-9.]+`)

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := apiVersionPrefix.ReplaceAllString(r.URL.Path, "")
	var err error
	switch {
	case r.Method == http.MethodPost && (path == "/containers/create" || path == "/networks/create" || path == "/volumes/create"):
		err = p.labelBody(r)
	case r.Method == http.MethodPost && path == "/build":
		// Always a full build: what a build prints must not depend on what
		// another script happened to leave in the cache.
		err = p.labelQuery(r, "labels")
		q := r.URL.Query()
		q.Set("nocache", "1")
		r.URL.RawQuery = q.Encode()
	case r.Method == http.MethodGet && path == "/containers/json":
		err = p.filterQuery(r)
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/prune"):
		if path == "/build/prune" || path == "/system/prune" {
			http.Error(w, "tpdocker: ce nettoyage global est refusé par la suite (il toucherait des objets qu'elle n'a pas créés)", http.StatusForbidden)
			return
		}
		err = p.filterQuery(r)
	}
	if err != nil {
		http.Error(w, "tpdocker: "+err.Error(), http.StatusBadRequest)
		return
	}
	if r.Header.Get("Upgrade") != "" {
		p.hijack(w, r)
		return
	}
	p.rp.ServeHTTP(w, r)
	if r.Method == http.MethodPost && strings.HasSuffix(path, "/resize") {
		p.mu.Lock()
		p.resizes++
		p.mu.Unlock()
	}
}

// Resized counts the terminal resizes the clients asked for: an
// interactive session has its window size once one more has gone through.
func (p *Proxy) Resized() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resizes
}

// labelBody adds the scope labels to the JSON body's "Labels" object.
func (p *Proxy) labelBody(r *http.Request) error {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body.Close()
	body := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return fmt.Errorf("corps JSON illisible: %v", err)
		}
	}
	labels, _ := body["Labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
	}
	for k, v := range p.labels {
		labels[k] = v
	}
	body["Labels"] = labels
	out, err := json.Marshal(body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.ContentLength = int64(len(out))
	r.Header.Set("Content-Length", fmt.Sprint(len(out)))
	r.Header.Set("Content-Type", "application/json")
	return nil
}

// labelQuery adds the scope labels to a JSON-encoded query parameter.
func (p *Proxy) labelQuery(r *http.Request, param string) error {
	q := r.URL.Query()
	labels := map[string]string{}
	if v := q.Get(param); v != "" {
		if err := json.Unmarshal([]byte(v), &labels); err != nil {
			return fmt.Errorf("paramètre %s illisible: %v", param, err)
		}
	}
	for k, v := range p.labels {
		labels[k] = v
	}
	enc, _ := json.Marshal(labels)
	q.Set(param, string(enc))
	r.URL.RawQuery = q.Encode()
	return nil
}

// filterQuery adds label=<scope> to the "filters" query parameter, which the
// engine accepts both as {"label":["a=b"]} and as {"label":{"a=b":true}}.
func (p *Proxy) filterQuery(r *http.Request) error {
	q := r.URL.Query()
	filters := map[string]any{}
	if v := q.Get("filters"); v != "" {
		if err := json.Unmarshal([]byte(v), &filters); err != nil {
			return fmt.Errorf("filtres illisibles: %v", err)
		}
	}
	switch l := filters["label"].(type) {
	case []any:
		filters["label"] = append(l, p.filter)
	case map[string]any:
		l[p.filter] = true
	default:
		filters["label"] = map[string]bool{p.filter: true}
	}
	enc, _ := json.Marshal(filters)
	q.Set("filters", string(enc))
	r.URL.RawQuery = q.Encode()
	return nil
}

// hijack forwards an upgraded connection (attach, exec with a terminal) and
// keeps half-closes: when the client has sent all its input, the engine still
// delivers the rest of the output.
func (p *Proxy) hijack(w http.ResponseWriter, r *http.Request) {
	backend, err := p.dial(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.URL.Scheme, r.URL.Host = "", ""
	r.RequestURI = ""
	if err := r.Write(backend); err != nil {
		backend.Close()
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	br := bufio.NewReader(backend)
	resp, err := http.ReadResponse(br, r)
	if err != nil {
		backend.Close()
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	client, cbuf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		backend.Close()
		return
	}
	p.track(client, backend)
	defer p.untrack(client, backend)
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Write(client)
		client.Close()
		backend.Close()
		return
	}
	resp.Write(client)
	done := make(chan struct{}, 2)
	go func() { // client -> engine
		var in io.Reader = client
		if n := cbuf.Reader.Buffered(); n > 0 {
			b, _ := cbuf.Reader.Peek(n)
			in = io.MultiReader(bytes.NewReader(append([]byte{}, b...)), client)
		}
		if apiVersionPrefix.ReplaceAllString(r.URL.Path, "") == "/grpc" {
			// BuildKit: the build's options travel inside gRPC requests.
			n, err := buildlabel.Copy(backend, in, p.buildAttrs())
			p.mu.Lock()
			p.builds += n
			if err != nil && p.grpcErr == nil {
				p.grpcErr = err
			}
			p.mu.Unlock()
		} else {
			io.Copy(backend, in)
		}
		closeWrite(backend)
		done <- struct{}{}
	}()
	go func() { // engine -> client
		io.Copy(client, br)
		closeWrite(client)
		done <- struct{}{}
	}()
	<-done
	<-done
	client.Close()
	backend.Close()
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		c.Close()
	}
}

func (p *Proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

func readBody(resp *http.Response) ([]byte, error) {
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, err
}

// filterVolumes keeps, in a volume listing, the volumes that carry the
// script's label and those of its containers: an image's VOLUME is created
// by the engine itself, anonymous and without labels.
func (p *Proxy) filterVolumes(resp *http.Response) error {
	raw, err := readBody(resp)
	if err != nil {
		return err
	}
	var list map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return err
	}
	var vols []map[string]any
	if err := json.Unmarshal(list["Volumes"], &vols); err != nil {
		return err
	}
	key, val, _ := strings.Cut(p.filter, "=")
	kept := []map[string]any{}
	p.mu.Lock()
	for _, v := range vols {
		labels, _ := v["Labels"].(map[string]any)
		name, _ := v["Name"].(string)
		if labels[key] == val || p.volumes[name] {
			kept = append(kept, v)
		}
	}
	p.mu.Unlock()
	list["Volumes"], _ = json.Marshal(kept)
	return setJSONBody(resp, list)
}

// setJSONBody makes v, in JSON, the response's body.
func setJSONBody(resp *http.Response, v any) error {
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", fmt.Sprint(len(out)))
	return nil
}

// predefinedNetworks are the networks an engine makes for itself, the same
// on every engine: a listing shows them to every script, as to a reader.
var predefinedNetworks = map[string]bool{"bridge": true, "host": true, "none": true}

// filterNetworks keeps, in a network listing, the networks that carry the
// script's label and the engine's own, unlabelled, networks.
func (p *Proxy) filterNetworks(resp *http.Response) error {
	raw, err := readBody(resp)
	if err != nil {
		return err
	}
	var nets []map[string]any
	if err := json.Unmarshal(raw, &nets); err != nil {
		return err
	}
	key, val, _ := strings.Cut(p.filter, "=")
	kept := []map[string]any{}
	for _, n := range nets {
		labels, _ := n["Labels"].(map[string]any)
		name, _ := n["Name"].(string)
		if labels[key] == val || (predefinedNetworks[name] && len(labels) == 0) {
			kept = append(kept, n)
		}
	}
	return setJSONBody(resp, kept)
}

// TrackedVolumes lists the volumes of the client's containers.
func (p *Proxy) TrackedVolumes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for v := range p.volumes {
		names = append(names, v)
	}
	return names
}

var hexID = regexp.MustCompile(`^[0-9a-f]{12,64}$`)

// stateChange matches the requests after which a person would expect the
// container listing to show the new state: /wait (docker run returning),
// stop, kill, restart, start, and removal.
var stateChange = regexp.MustCompile(`^/containers/([^/]+)(/wait|/stop|/kill|/restart|/start|)$`)

// settle holds a state-changing answer until the engine's container list
// agrees with it. The engine tells a waiting client about an exit a moment
// before its listing shows it, and on a loaded machine "docker ps -a" typed
// right after "docker run" returned could still list the container as Up.
// A person never sees that gap; a script would. For /wait, whose answer
// arrives when the container exits, the body is held until the listing
// agrees; for the others, the answer itself.
func (p *Proxy) settle(resp *http.Response, method, id, action string) {
	var want func(state string, found bool) bool
	switch {
	case action == "/wait" || action == "/stop" || action == "/kill":
		want = func(state string, found bool) bool { return !found || state != "running" }
	case action == "/restart" || action == "/start":
		want = func(state string, found bool) bool { return found && state == "running" }
	case action == "" && method == http.MethodDelete:
		want = func(_ string, found bool) bool { return !found }
	default:
		return
	}
	if action != "/wait" {
		p.waitListing(id, want)
		return
	}
	body := resp.Body
	resp.Body = &settledBody{body: body, settle: func() { p.waitListing(id, want) }}
}

// waitListing polls the engine's container list (what docker ps reads) for
// one container, for at most five seconds.
func (p *Proxy) waitListing(id string, want func(state string, found bool) bool) {
	c := &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return p.dial(ctx) },
		DisableKeepAlives: true,
	}, Timeout: 2 * time.Second}
	filter := map[string][]string{"id": {id}}
	if !hexID.MatchString(id) {
		filter = map[string][]string{"name": {"^/" + regexp.QuoteMeta(id) + "$"}}
	}
	f, _ := json.Marshal(filter)
	u := "http://docker/containers/json?all=1&filters=" + url.QueryEscape(string(f))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := c.Get(u)
		if err != nil {
			return
		}
		var list []struct{ Id, State string }
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			return
		}
		state, found := "", len(list) == 1
		if found {
			state = list[0].State
		}
		if want(state, found) {
			return
		}
	}
}

// settledBody reads its whole body, then settles, then serves it.
type settledBody struct {
	body   io.ReadCloser
	settle func()
	buf    *bytes.Reader
}

func (b *settledBody) Read(p []byte) (int, error) {
	if b.buf == nil {
		raw, err := io.ReadAll(b.body)
		b.settle()
		b.buf = bytes.NewReader(raw)
		if err != nil {
			return 0, err
		}
	}
	return b.buf.Read(p)
}

func (b *settledBody) Close() error { return b.body.Close() }

// Builds counts the BuildKit build requests the proxy labelled, and gives
// the first error met reading a /grpc stream, if any.
func (p *Proxy) Builds() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.builds, p.grpcErr
}
