package record

// Stand-ins across the records of a run: two different objects never share
// one, the same object keeps its own in every record.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestPlaceholdersAcrossScripts: the site's scripts each show their first
// container (its ID and generated name) and the same base image digest;
// normalised together, the containers get stand-ins of their own in each
// record, and the digest the same stand-in in all of them.
func TestPlaceholdersAcrossScripts(t *testing.T) {
	scripts := []string{"ex1-hello", "ex2-alpine", "ex3-build", "ex4-run", "ex5-compose", "ex6-postgres", "ex7-debug", "ex8-reflexion"}
	digest := strings.Repeat("ab", 32)
	var records []*Result
	created := map[string][]Container{}
	for i, s := range scripts {
		ctr := strings.Repeat(fmt.Sprintf("%02x", 0x11*(i+1)), 32)
		name := fmt.Sprintf("real_name%d", i)
		created[s] = []Container{{ID: ctr, Name: name}}
		records = append(records, &Result{Script: s, Steps: []Step{
			{Cmd: "docker run", Stdout: ctr + "\n"},
			{Cmd: "docker ps -a", Stdout: "CONTAINER ID   IMAGE     NAMES\n" + ctr[:12] + "   alpine    " + name + "\n"},
			{Cmd: "docker build", Stderr: "#4 [1/4] FROM docker.io/library/python:3.9-slim@sha256:" + digest + "\n"},
		}})
	}
	// Records are normalised in their scripts' order, whatever order the
	// run finished them in.
	shuffled := []*Result{records[5], records[2], records[7], records[0], records[4], records[1], records[6], records[3]}
	NormaliseAll(shuffled, "", created)

	ids, names := map[string]string{}, map[string]string{}
	var digests []string
	for _, r := range records {
		id := strings.TrimSpace(r.Steps[0].Stdout)
		if prev, dup := ids[id[:12]]; dup {
			t.Errorf("%s et %s : deux conteneurs différents, un seul identifiant %s", prev, r.Script, id[:12])
		}
		ids[id[:12]] = r.Script
		fields := strings.Fields(strings.Split(r.Steps[1].Stdout, "\n")[1])
		if fields[0] != id[:12] {
			t.Errorf("%s : le même conteneur a deux identifiants, %s et %s", r.Script, id[:12], fields[0])
		}
		name := fields[len(fields)-1]
		if !generated.MatchString(name) || strings.HasPrefix(name, "real_") {
			t.Errorf("%s : nom %q", r.Script, name)
		}
		if prev, dup := names[name]; dup {
			t.Errorf("%s et %s : deux conteneurs différents, un seul nom %s", prev, r.Script, name)
		}
		names[name] = r.Script
		d := r.Steps[2].Stderr[strings.Index(r.Steps[2].Stderr, "sha256:")+7:][:64]
		digests = append(digests, d)
		if _, clash := ids[d[:12]]; clash {
			t.Errorf("%s : le condensé de l'image de base a l'identifiant d'un conteneur, %s", r.Script, d[:12])
		}
	}
	for i, d := range digests {
		if d != digests[0] {
			t.Errorf("%s : la même image de base a deux condensés, %s et %s", records[i].Script, digests[0][:12], d[:12])
		}
	}

	// The same run normalised again gives the same stand-ins: they depend
	// on the scripts and the order of appearance, not on the real values.
	again := []*Result{{Script: "ex4-run", Steps: []Step{{Cmd: "docker run", Stdout: strings.Repeat("cd", 32) + "\n"}}}}
	NormaliseAll(again, "", nil)
	if got, want := again[0].Steps[0].Stdout, records[3].Steps[0].Stdout; got != want {
		t.Errorf("ex4-run, premier identifiant : %q une fois, %q l'autre", got, want)
	}
}

// TestGeneratedNamesDifferAcrossScripts: the first 160 names of each of 16
// scripts are all different.
func TestGeneratedNamesDifferAcrossScripts(t *testing.T) {
	seen := map[string]string{}
	for s := 0; s < 16; s++ {
		script := fmt.Sprintf("ex%d-x", s)
		for k := 1; k <= 160; k++ {
			name := generatedName(script, k)
			if !generated.MatchString(name) {
				t.Fatalf("%s, nom %d : %q", script, k, name)
			}
			if prev, dup := seen[name]; dup {
				t.Fatalf("%s et %s, nom %d : même remplaçant %s", prev, script, k, name)
			}
			seen[name] = fmt.Sprintf("%s (%d)", script, k)
		}
	}
}

// TestAddressesAndPortsAcrossScripts: an address stands for one host of one
// network on the whole site. The engine's default bridge keeps one range
// (its gateway is the same object in every script); a Compose network and a
// network made by hand get ranges of their own, even when the engine gave
// them the same real range one after the other; client ports of two
// scripts never meet.
func TestAddressesAndPortsAcrossScripts(t *testing.T) {
	log := func(ip, port string) string {
		return "INFO:     " + ip + ":" + port + ` - "GET /health HTTP/1.1" 200 OK` + "\n"
	}
	ex4 := &Result{Script: "ex4-run", Steps: []Step{
		{Cmd: "docker run -p 8000:8000 simple-api", Stderr: log("172.17.0.1", "40112")},
		{Cmd: "docker logs <c>", Stderr: log("172.17.0.1", "40118")},
	}}
	ex7 := &Result{Script: "ex7-debug", Steps: []Step{
		{Cmd: "docker compose logs api", Stdout: "api-1  | " + log("172.19.0.1", "40112")},
	}}
	ex8 := &Result{Script: "ex8-reflexion", Steps: []Step{
		{Cmd: "docker run -p 8000:8000 simple-api", Stderr: log("172.17.0.1", "40130")},
		{Cmd: `docker compose exec -T api python -c "print(1)"`, Stdout: "172.19.0.2\n"},
		{Cmd: "docker compose down"},
		{Cmd: "docker network create tpdocker-manuel"},
		{Cmd: `docker run --rm --network tpdocker-manuel simple-api python -c "print(1)"`, Stdout: "172.19.0.2\n"},
		{Cmd: "docker network inspect tpdocker-manuel", Stdout: `"Gateway": "172.19.0.1"` + "\n"},
	}}
	NormaliseAll([]*Result{ex8, ex4, ex7}, "", nil)
	gw := func(r *Result, i int) string {
		s := r.Steps[i].Stdout + r.Steps[i].Stderr
		return privateAddr.FindString(s)
	}
	port := func(r *Result, i int) string {
		return clientPortOf.FindStringSubmatch(r.Steps[i].Stdout + r.Steps[i].Stderr)[1]
	}
	if a, b := gw(ex4, 0), gw(ex8, 0); a != b || a != "172.17.0.1" {
		t.Errorf("la passerelle du pont par défaut : %s dans ex4, %s dans ex8 (attendu 172.17.0.1 partout)", a, b)
	}
	if a := gw(ex4, 1); a != gw(ex4, 0) {
		t.Errorf("ex4 : docker logs montre la passerelle du pont sous %s, docker run sous %s", a, gw(ex4, 0))
	}
	if a := gw(ex7, 0); a == gw(ex4, 0) {
		t.Errorf("la passerelle du réseau de Compose (ex7) et celle du pont par défaut (ex4) ont le même remplaçant %s", a)
	}
	if a, b := gw(ex8, 1), gw(ex8, 4); a == b {
		t.Errorf("ex8 : la base de Compose et celle du réseau fait à la main ont la même adresse %s", a)
	}
	if a, b := gw(ex8, 4), gw(ex8, 5); a[:strings.LastIndex(a, ".")] != b[:strings.LastIndex(b, ".")] {
		t.Errorf("ex8 : la base (%s) n'est pas sur le réseau de sa passerelle (%s)", a, b)
	}
	seen := map[string]string{}
	for _, p := range []struct {
		r *Result
		i int
	}{{ex4, 0}, {ex4, 1}, {ex7, 0}, {ex8, 0}} {
		v := port(p.r, p.i)
		if prev, dup := seen[v]; dup {
			t.Errorf("le port client %s désigne une connexion de %s et une autre de %s", v, prev, p.r.Script)
		}
		seen[v] = p.r.Script
	}
}

var (
	privateAddr  = regexp.MustCompile(`172\.\d+\.\d+\.\d+`)
	clientPortOf = regexp.MustCompile(`172\.\d+\.\d+\.\d+:(\d+)`)
)
