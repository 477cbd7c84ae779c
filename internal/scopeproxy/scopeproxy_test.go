package scopeproxy

// The proxy against a fake engine (net/http/httptest): what reaches the
// engine, and what comes back to the client. No Docker needed.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	label = "tpdocker.scope"
	scope = "run1.ex1"
)

// fakeEngine records the requests it gets and answers with handle.
type fakeEngine struct {
	srv *httptest.Server

	mu   sync.Mutex
	seen []*http.Request
	body map[string][]byte // request body by path
}

func newFakeEngine(t *testing.T, handle http.HandlerFunc) *fakeEngine {
	t.Helper()
	e := &fakeEngine{body: map[string][]byte{}}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			raw, _ := io.ReadAll(r.Body)
			e.mu.Lock()
			e.seen = append(e.seen, r)
			e.body[r.URL.Path] = raw
			e.mu.Unlock()
		}
		handle(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// requests returns the requests the engine got for a path.
func (e *fakeEngine) requests(path string) []*http.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rs []*http.Request
	for _, r := range e.seen {
		if r.URL.Path == path {
			rs = append(rs, r)
		}
	}
	return rs
}

// startProxy starts a proxy in front of the engine and returns it with an
// HTTP client of its socket.
func startProxy(t *testing.T, e *fakeEngine, created func(string) []string) (*Proxy, *http.Client) {
	t.Helper()
	addr := e.srv.Listener.Addr().String()
	p, err := Start(Config{
		Dial:    func(ctx context.Context) (net.Conn, error) { return (&net.Dialer{}).DialContext(ctx, "tcp", addr) },
		Dir:     t.TempDir(),
		Label:   label,
		Scope:   scope,
		Created: created,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	socket := strings.TrimPrefix(p.Host(), "unix://")
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	return p, c
}

func do(t *testing.T, c *http.Client, method, target, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://docker"+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// labelFilters reads the "label" entries of a request's filters parameter,
// in either of the engine's two forms.
func labelFilters(t *testing.T, r *http.Request) map[string]bool {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal([]byte(r.URL.Query().Get("filters")), &f); err != nil {
		t.Fatalf("%s : filtres illisibles : %v", r.URL, err)
	}
	got := map[string]bool{}
	switch l := f["label"].(type) {
	case []any:
		for _, v := range l {
			got[v.(string)] = true
		}
	case map[string]any:
		for k := range l {
			got[k] = true
		}
	}
	return got
}

// A folder too deep for a unix socket (macOS's temporary folders are): the
// proxy listens in a folder of its own, which Close removes.
func TestDeepFolder(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") })
	deep := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := e.srv.Listener.Addr().String()
	p, err := Start(Config{
		Dial:  func(ctx context.Context) (net.Conn, error) { return (&net.Dialer{}).DialContext(ctx, "tcp", addr) },
		Dir:   deep,
		Label: label,
		Scope: scope,
	})
	if err != nil {
		t.Fatal(err)
	}
	socket := strings.TrimPrefix(p.Host(), "unix://")
	if len(socket) > maxSocketPath || strings.HasPrefix(socket, deep) {
		t.Errorf("socket %s (%d octets), hors de %s et de %d octets au plus attendu", socket, len(socket), deep, maxSocketPath)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	if resp := do(t, c, http.MethodGet, "/_ping", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/_ping : %s", resp.Status)
	}
	c.CloseIdleConnections()
	p.Close()
	if _, err := os.Stat(filepath.Dir(socket)); !os.IsNotExist(err) {
		t.Errorf("dossier du socket encore là après Close : %v", err)
	}
}

func TestCreateGetsTheScopeLabel(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"Id":"c0ffee"}`)
	})
	var told []string
	_, c := startProxy(t, e, func(id string) []string { told = append(told, id); return []string{"vol-anonyme"} })
	for _, path := range []string{"/v1.47/containers/create", "/v1.47/networks/create", "/v1.47/volumes/create"} {
		do(t, c, http.MethodPost, path+"?name=x", `{"Image":"alpine","Labels":{"mine":"yes"},"Cmd":["echo",1]}`)
		var body struct {
			Labels map[string]string
			Cmd    []any
		}
		e.mu.Lock()
		raw := e.body[path]
		e.mu.Unlock()
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%s : corps reçu illisible : %v", path, err)
		}
		if body.Labels[label] != scope || body.Labels["mine"] != "yes" {
			t.Errorf("%s : étiquettes reçues par le moteur %v, %s=%s et mine=yes attendues", path, body.Labels, label, scope)
		}
		if len(body.Cmd) != 2 {
			t.Errorf("%s : le reste du corps a changé : %s", path, raw)
		}
	}
	do(t, c, http.MethodPost, "/v1.47/networks/create", "")
	if len(told) != 1 || told[0] != "c0ffee" {
		t.Errorf("conteneurs signalés : %v, c0ffee attendu", told)
	}
}

func TestBuildGetsTheLabelAndNoCache(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {})
	_, c := startProxy(t, e, nil)
	do(t, c, http.MethodPost, "/v1.47/build?t=simple-api&labels="+url.QueryEscape(`{"mine":"yes"}`), "")
	rs := e.requests("/v1.47/build")
	if len(rs) != 1 {
		t.Fatalf("%d requêtes /build reçues", len(rs))
	}
	q := rs[0].URL.Query()
	var labels map[string]string
	json.Unmarshal([]byte(q.Get("labels")), &labels)
	if labels[label] != scope || labels["mine"] != "yes" || q.Get("nocache") != "1" || q.Get("t") != "simple-api" {
		t.Errorf("requête de construction reçue : %s", rs[0].URL.RawQuery)
	}
}

func TestListingsAndPrunesAreFiltered(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1.47/volumes":
			io.WriteString(w, `{"Volumes":[
				{"Name":"a-lui","Labels":{"tpdocker.scope":"run1.ex1"}},
				{"Name":"a-un-autre","Labels":{"tpdocker.scope":"run1.ex2"}},
				{"Name":"au-lecteur","Labels":null},
				{"Name":"vol-anonyme","Labels":null}],"Warnings":null}`)
		case r.URL.Path == "/v1.47/containers/create":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"Id":"c0ffee"}`)
		default:
			io.WriteString(w, `[]`)
		}
	})
	p, c := startProxy(t, e, func(string) []string { return []string{"vol-anonyme"} })
	want := label + "=" + scope
	for _, target := range []string{
		"/v1.47/containers/json?all=1",
		"/v1.47/containers/json?filters=" + url.QueryEscape(`{"label":["mine=yes"]}`),
		"/v1.47/containers/json?filters=" + url.QueryEscape(`{"label":{"mine=yes":true}}`),
	} {
		do(t, c, http.MethodGet, target, "")
	}
	for _, target := range []string{"/v1.47/containers/prune", "/v1.47/images/prune", "/v1.47/networks/prune", "/v1.47/volumes/prune"} {
		do(t, c, http.MethodPost, target, "")
	}
	for _, path := range []string{"/v1.47/containers/json", "/v1.47/containers/prune", "/v1.47/images/prune", "/v1.47/networks/prune", "/v1.47/volumes/prune"} {
		rs := e.requests(path)
		if len(rs) == 0 {
			t.Errorf("%s : rien reçu par le moteur", path)
		}
		for _, r := range rs {
			if got := labelFilters(t, r); !got[want] {
				t.Errorf("%s : filtres reçus %v, sans %s", r.URL, got, want)
			}
		}
	}
	if got := labelFilters(t, e.requests("/v1.47/containers/json")[2]); !got["mine=yes"] {
		t.Errorf("le filtre du client est perdu : %v", got)
	}

	do(t, c, http.MethodPost, "/v1.47/containers/create", `{}`) // its anonymous volume is the script's
	resp := do(t, c, http.MethodGet, "/v1.47/volumes", "")
	var list struct{ Volumes []struct{ Name string } }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range list.Volumes {
		names = append(names, v.Name)
	}
	if strings.Join(names, " ") != "a-lui vol-anonyme" {
		t.Errorf("volumes listés : %v, seulement a-lui et vol-anonyme attendus", names)
	}
	if v := p.TrackedVolumes(); len(v) != 1 || v[0] != "vol-anonyme" {
		t.Errorf("volumes suivis : %v", v)
	}
}

func TestGlobalPrunesAreRefused(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {})
	_, c := startProxy(t, e, nil)
	for _, path := range []string{"/v1.47/build/prune", "/v1.47/system/prune", "/build/prune"} {
		resp := do(t, c, http.MethodPost, path, "")
		msg, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(msg), "nettoyage global est refusé") {
			t.Errorf("%s : %s %q, 403 attendu", path, resp.Status, msg)
		}
		if n := len(e.requests(path)); n > 0 {
			t.Errorf("%s : transmis au moteur", path)
		}
	}
}

// An attach: the client sends its input and closes its write side; the
// engine reads to the end of it, and its answer still reaches the client.
func TestHijackKeepsHalfClose(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
		in, _ := io.ReadAll(buf) // to the client's half-close
		io.WriteString(conn, "reçu : "+string(in))
	})
	p, _ := startProxy(t, e, nil)
	conn, err := net.Dial("unix", strings.TrimPrefix(p.Host(), "unix://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "POST /v1.47/containers/c0ffee/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("réponse %s, 101 attendu", resp.Status)
	}
	io.WriteString(conn, "SELECT 1;\n")
	if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("lecture après la demi-fermeture : %v", err)
	}
	if string(out) != "reçu : SELECT 1;\n" {
		t.Errorf("sortie du moteur après la demi-fermeture : %q", out)
	}
}

// docker stop answers once the listing no longer shows the container running.
func TestStateChangeSettles(t *testing.T) {
	var mu sync.Mutex
	listings := 0
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/containers/json" {
			mu.Lock()
			listings++
			state := "running"
			if listings >= 3 {
				state = "exited"
			}
			mu.Unlock()
			io.WriteString(w, `[{"Id":"c0ffee","State":"`+state+`"}]`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	_, c := startProxy(t, e, nil)
	resp := do(t, c, http.MethodPost, "/v1.47/containers/web/stop", "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("réponse %s", resp.Status)
	}
	mu.Lock()
	defer mu.Unlock()
	if listings != 3 {
		t.Errorf("la réponse est arrivée après %d lectures de la liste, 3 attendues (la troisième montre le conteneur arrêté)", listings)
	}
	rs := e.requests("/containers/json")
	if f := rs[0].URL.Query().Get("filters"); !strings.Contains(f, `"^/web$"`) {
		t.Errorf("liste lue avec les filtres %s, le nom ^/web$ attendu", f)
	}
}

// Drain, on an interrupt: a request in flight gets its answer (what it
// creates is on the engine before cleanup looks), an upgraded connection is
// closed at once, and no new request gets through.
func TestDrain(t *testing.T) {
	release := make(chan struct{})
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
			io.Copy(io.Discard, conn)
			return
		}
		<-release
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"Id":"c0ffee"}`)
	})
	p, c := startProxy(t, e, func(string) []string { return nil })

	// An attach, upgraded.
	conn, err := net.Dial("unix", strings.TrimPrefix(p.Host(), "unix://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "POST /v1.47/containers/c0ffee/attach?stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("attach : %v %v", resp, err)
	}
	// A create, in flight.
	answer := make(chan int, 1)
	go func() {
		resp, err := c.Post("http://docker/v1.47/containers/create", "application/json", strings.NewReader(`{"Image":"alpine"}`))
		if err != nil {
			answer <- 0
			return
		}
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	for len(e.requests("/v1.47/containers/create")) == 0 {
		time.Sleep(10 * time.Millisecond)
	}

	drained := make(chan struct{})
	go func() { p.Drain(5 * time.Second); close(drained) }()
	if _, err := io.ReadAll(br); err != nil {
		t.Errorf("l'attach n'a pas été fermé proprement : %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := c.Get("http://docker/v1.47/containers/json"); err == nil {
		t.Error("une nouvelle requête est passée pendant Drain")
	}
	select {
	case <-drained:
		t.Fatal("Drain n'a pas attendu la requête en cours")
	default:
	}
	close(release)
	if code := <-answer; code != http.StatusCreated {
		t.Errorf("la requête en cours a reçu %d, 201 attendu", code)
	}
	select {
	case <-drained:
	case <-time.After(time.Minute):
		t.Fatal("Drain ne s'est pas terminé en une minute")
	}
}

// TestNetworkListing: a network listing shows the script's networks and the
// engine's own (bridge, host, none), not another script's nor a reader's;
// the client's filters reach the engine.
func TestNetworkListing(t *testing.T) {
	e := newFakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[
			{"Name":"bridge","Labels":{}},
			{"Name":"host","Labels":{}},
			{"Name":"none","Labels":null},
			{"Name":"tpdocker_default","Labels":{"tpdocker.scope":"`+scope+`"}},
			{"Name":"tpdocker_default","Labels":{"tpdocker.scope":"run1.ex2"}},
			{"Name":"bridge","Labels":{"tpdocker.scope":"run1.ex2"}},
			{"Name":"au-lecteur","Labels":{}}]`)
	})
	_, c := startProxy(t, e, nil)
	resp := do(t, c, http.MethodGet, "/v1.47/networks?filters="+url.QueryEscape(`{"driver":["bridge"]}`), "")
	var nets []struct {
		Name   string
		Labels map[string]string
	}
	if err := json.NewDecoder(resp.Body).Decode(&nets); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nets {
		got = append(got, n.Name+"/"+n.Labels[label])
	}
	if want := "bridge/ host/ none/ tpdocker_default/" + scope; strings.Join(got, " ") != want {
		t.Errorf("réseaux listés : %v, attendu %s", got, want)
	}
	if f := e.requests("/v1.47/networks")[0].URL.Query().Get("filters"); !strings.Contains(f, "driver") {
		t.Errorf("le filtre du client est perdu : %q", f)
	}
}
