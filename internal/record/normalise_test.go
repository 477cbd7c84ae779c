package record

// The normaliser alone, on outputs written out here: no engine needed.

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// Real values of a made-up run, as docker prints them.
const (
	rawRunID  = "1879c4d2e8f0"
	rawImage1 = "5f2b9c1d7e3a8b6c4d0e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	rawImage2 = "c0ffee4b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80"
	rawImage3 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
	rawCtr1   = "a3c9e0f41b27d8e6c5b4a3928170f6e5d4c3b2a190807f6e5d4c3b2a1908070f"
	rawCtr2   = "0d5b8f1e9c64a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9"
	rawVol1   = "e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a"
	rawVol2   = "3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a"
)

// The stand-ins of a record's first three IDs.
const (
	standIn1 = "548313ee652a5ab3131c96c76ac7d6a3483a1e3a122fe0ce4a968c1b1d981510"
	standIn2 = "1a64528008ee2d303a9af0494d5c2232b610eb37800376efdc97b94a4aea31d4"
	standIn3 = "df4ca8ee5911a85e5af7955ccc9fd6175dc2dc6d37cab51e8cf8704184c7a190"
)

func TestNormaliseText(t *testing.T) {
	created := []Container{{ID: rawCtr2, Name: "vigorous_jemison"}, {ID: rawCtr1, Name: "wizardly_heisenberg"}}
	cases := []struct {
		name   string
		before []string // earlier outputs of the same record: they set the aliases
		in     string
		want   string
	}{
		{
			name: "docker ps -a",
			in: `CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS                          PORTS     NAMES
a3c9e0f41b27   alpine    "cat /note.txt"          2 seconds ago        Exited (1) 1 second ago                   wizardly_heisenberg
0d5b8f1e9c64   alpine    "echo 'Bonjour depui…"   About a minute ago   Exited (0) About a minute ago             vigorous_jemison
`,
			want: `CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                     PORTS     NAMES
548313ee652a   alpine    "cat /note.txt"          5 seconds ago   Exited (1) 4 seconds ago             festive_lovelace
1a64528008ee   alpine    "echo 'Bonjour depui…"   5 seconds ago   Exited (0) 4 seconds ago             brave_curie
`,
		},
		{
			name: "docker ps, a running container",
			in: `CONTAINER ID   IMAGE        COMMAND                  CREATED                  STATUS                  PORTS                                         NAMES
0d5b8f1e9c64   simple-api   "uvicorn app:app --h…"   Less than a second ago   Up Less than a second   0.0.0.0:8000->8000/tcp, [::]:8000->8000/tcp   vigorous_jemison
`,
			want: `CONTAINER ID   IMAGE        COMMAND                  CREATED         STATUS         PORTS                                         NAMES
548313ee652a   simple-api   "uvicorn app:app --h…"   5 seconds ago   Up 4 seconds   0.0.0.0:8000->8000/tcp, [::]:8000->8000/tcp   brave_curie
`,
		},
		{
			// Listed in no set order: sorted by first appearance in the record.
			name:   "docker image prune",
			before: []string{" ---> " + rawImage1[:12] + "\n ---> " + rawImage2[:12] + "\n"},
			in: `WARNING! This will remove all dangling images.
Are you sure you want to continue? [y/N] Deleted Images:
deleted: sha256:` + rawImage3 + `
deleted: sha256:` + rawImage2 + `
deleted: sha256:` + rawImage1 + `

Total reclaimed space: 7.26MB
`,
			want: `WARNING! This will remove all dangling images.
Are you sure you want to continue? [y/N] Deleted Images:
deleted: sha256:` + standIn1 + `
deleted: sha256:` + standIn2 + `
deleted: sha256:` + standIn3 + `

Total reclaimed space: 7.26MB
`,
		},
		{
			name: "docker container prune",
			in: `WARNING! This will remove all stopped containers.
Are you sure you want to continue? [y/N] Deleted Containers:
` + rawCtr1 + `

Total reclaimed space: 1.322MB
`,
			want: `WARNING! This will remove all stopped containers.
Are you sure you want to continue? [y/N] Deleted Containers:
` + standIn1 + `

Total reclaimed space: 1.322MB
`,
		},
		{
			name: "uvicorn log lines",
			in: `INFO:     172.17.0.1:40112 - "GET /health HTTP/1.1" 200 OK
api-1  | INFO:     172.17.0.1:40126 - "GET /health HTTP/1.1" 200 OK
`,
			want: `INFO:     172.18.0.1:54322 - "GET /health HTTP/1.1" 200 OK
api-1  | INFO:     172.18.0.1:54324 - "GET /health HTTP/1.1" 200 OK
`,
		},
		{
			name: "PostgreSQL log lines",
			in: `2026-03-02 09:41:07.118 UTC [1] LOG:  starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu
2026-03-02 09:41:07.131 UTC [48] LOG:  database system was shut down at 2026-03-02 09:41:06 UTC
2026-03-02 09:41:07.140 UTC [1] LOG:  database system is ready to accept connections
`,
			want: `2025-11-20 14:03:12.345 UTC [1] LOG:  starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu
2025-11-20 14:03:12.345 UTC [64] LOG:  database system was shut down at 2025-11-20 14:03:10 UTC
2025-11-20 14:03:12.345 UTC [1] LOG:  database system is ready to accept connections
`,
		},
		{
			name: "compose progress",
			in: `time="2026-03-02T10:41:05+01:00" level=warning msg="$WORK/tpdocker/docker-compose.yml: the attribute ` + "`version`" + ` is obsolete"
 ✔ Network tpdocker_default     Created   0.1s
 ✔ Container tpdocker-db-1      Started   0.6s
WARN[0001] ~/tpdocker/docker-compose.yml: the attribute ` + "`version`" + ` is obsolete
`,
			want: `time="2025-11-20T14:03:12Z" level=warning msg="~/tpdocker/docker-compose.yml: the attribute ` + "`version`" + ` is obsolete"
 ✔ Network tpdocker_default     Created   1.2s
 ✔ Container tpdocker-db-1      Started   1.2s
WARN[0000] ~/tpdocker/docker-compose.yml: the attribute ` + "`version`" + ` is obsolete
`,
		},
		{
			name: "BuildKit progress",
			in: `#5 [internal] load build context
#5 transferring context: 3.12kB done
#5 DONE 0.0s
#8 [3/4] RUN pip install fastapi uvicorn
#8 3.871 Collecting fastapi
#8 4.102 Collecting uvicorn
#8 DONE 9.3s
#9 exporting layers 0.3s done
#9 writing image sha256:` + rawImage1 + ` done
#9 DONE 0.4s
`,
			want: `#5 [internal] load build context
#5 transferring context: 3.12kB done
#5 DONE 0.1s
#8 [3/4] RUN pip install fastapi uvicorn
#8 0.512 Collecting fastapi
#8 0.643 Collecting uvicorn
#8 DONE 0.7s
#9 exporting layers 0.1s done
#9 writing image sha256:` + standIn1 + ` done
#9 DONE 0.1s
`,
		},
		{
			name: "classic build",
			in: `Sending build context to Docker daemon  3.584kB
Step 6/6 : LABEL tpdocker.scope=` + rawRunID + `.ex3-build
 ---> Running in ` + rawCtr1[:12] + `
Removing intermediate container ` + rawCtr1[:12] + `
 ---> ` + rawImage2[:12] + `
Successfully built ` + rawImage2[:12] + `
`,
			want: `Sending build context to Docker daemon  2.048kB
Step 6/6 : LABEL tpdocker.scope=1879bbf589ce.ex3-build
 ---> Running in 548313ee652a
Removing intermediate container 548313ee652a
 ---> 1a64528008ee
Successfully built 1a64528008ee
`,
		},
		{
			// Named volumes first, then anonymous ones by first appearance.
			name:   "docker volume ls",
			before: []string{"local     " + rawVol2 + "\n"},
			in: `DRIVER    VOLUME NAME
local     ` + rawVol1 + `
local     ` + rawVol2 + `
local     tpdocker_pgdata
`,
			want: `DRIVER    VOLUME NAME
local     tpdocker_pgdata
local     ` + standIn1 + `
local     ` + standIn2 + `
`,
		},
		{
			// A network per subnet (the script's own ranges), its hosts
			// from .2, its gateway .1.
			name: "hostname and private addresses",
			in: `Linux 0d5b8f1e9c64 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC x86_64 Linux
172.24.0.3
10.10.4.2
172.24.0.1
172.24.0.3
`,
			want: `Linux 548313ee652a 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC x86_64 Linux
172.18.0.2
172.18.1.2
172.18.0.1
172.18.0.2
`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := newNormaliser(rawRunID, "2025-11-20", "", nil, created)
			for _, b := range c.before {
				n.text(b)
			}
			if got := n.text(c.in); got != c.want {
				t.Errorf("entrée :\n%s\nobtenu :\n%s\nattendu :\n%s", c.in, got, c.want)
			}
		})
	}
}

// A run's real values, in two runs of the same script.
type rawRun struct {
	runID, date                       string
	img1, img2, img3, ctr, vol1, vol2 string
	name                              string
	created, up, compose, bk, ctx     string
	ip, port1, port2, pid             string
}

// rawRecord is what a script's record holds before normalising: the same
// steps in every run, with that run's values.
func rawRecord(v rawRun) *Result {
	deleted := []string{v.img3, v.img1}
	if v.img3 > v.img1 { // the engine lists a prune in no set order
		deleted = []string{v.img1, v.img3}
	}
	vols := []string{v.vol1, v.vol2}
	if v.vol1 > v.vol2 { // docker volume ls: by name
		vols = []string{v.vol2, v.vol1}
	}
	steps := []Step{
		{Cmd: "docker build -t simple-api .", Stdout: "Sending build context to Docker daemon  " + v.ctx + "\n" +
			"Step 1/2 : FROM python:3.9-slim\n ---> " + v.img1[:12] + "\n" +
			"Step 2/2 : LABEL tpdocker.scope=" + v.runID + ".ex3-build\n ---> Running in " + v.ctr[:12] + "\n" +
			"Removing intermediate container " + v.ctr[:12] + "\n ---> " + v.img2[:12] + "\n" +
			"Successfully built " + v.img2[:12] + "\nSuccessfully tagged simple-api:latest\n"},
		{Cmd: "docker run -d -p 8000:8000 simple-api", Stdout: v.ctr + "\n"},
		{Cmd: "docker ps", Stdout: "CONTAINER ID   IMAGE        COMMAND                  CREATED" + strings.Repeat(" ", len(v.created)+4-len("CREATED")) + "   STATUS" + strings.Repeat(" ", len(v.up)+3-len("STATUS")) + "   PORTS                    NAMES\n" +
			v.ctr[:12] + "   simple-api   \"uvicorn app:app --h…\"   " + v.created + " ago   Up " + v.up + "   0.0.0.0:8000->8000/tcp   " + v.name + "\n"},
		{Cmd: "docker logs " + "<conteneur>", Stderr: "INFO:     " + v.ip + ":" + v.port1 + " - \"GET /health HTTP/1.1\" 200 OK\n" +
			"INFO:     " + v.ip + ":" + v.port2 + " - \"GET /health HTTP/1.1\" 200 OK\n"},
		{Cmd: "docker compose up -d", Stderr: "time=\"" + v.date + "T09:12:44+01:00\" level=warning msg=\"obsolete\"\n" +
			" Container tpdocker-db-1  Started  " + v.compose + "\n"},
		{Cmd: "docker compose logs db", Stdout: "db-1  | " + v.date + " 08:12:45.118 UTC [" + v.pid + "] LOG:  database system was shut down at " + v.date + " 08:12:44 UTC\n" +
			"db-1  | " + v.date + " 08:12:45.127 UTC [1] LOG:  database system is ready to accept connections\n"},
		{Cmd: "docker compose build", Stderr: "#8 [2/2] RUN pip install fastapi uvicorn\n#8 " + v.bk + " Collecting fastapi\n#8 DONE " + v.compose + "\n"},
		{Cmd: "docker image prune -f", Stdout: "Deleted Images:\ndeleted: sha256:" + deleted[0] + "\ndeleted: sha256:" + deleted[1] + "\n\nTotal reclaimed space: 7.26MB\n"},
		{Cmd: "docker volume ls", Stdout: "DRIVER    VOLUME NAME\nlocal     " + vols[0] + "\nlocal     " + vols[1] + "\n"},
	}
	return &Result{Script: "ex-test", Status: "pass", Date: "2025-11-20", Steps: steps}
}

func TestNormaliseTwoRunsAlike(t *testing.T) {
	runs := []rawRun{
		{
			runID: rawRunID, date: "2026-03-02",
			img1: rawImage1, img2: rawImage2, img3: rawImage3, ctr: rawCtr1, vol1: rawVol1, vol2: rawVol2,
			name:    "vigorous_jemison",
			created: "Less than a second", up: "Less than a second", compose: "0.4s", bk: "3.871", ctx: "3.584kB",
			ip: "172.17.0.1", port1: "40112", port2: "40126", pid: "48",
		},
		{
			runID: "1879c5e01a2b", date: "2026-03-03",
			img1: rawImage3, img2: rawCtr2, img3: rawImage1, ctr: rawVol1, vol1: rawImage2, vol2: rawCtr1,
			name:    "angry_euclid",
			created: "About a minute", up: "59 seconds", compose: "12.7s", bk: "15.004", ctx: "12.29kB",
			ip: "10.201.3.1", port1: "51870", port2: "33012", pid: "63",
		},
	}
	var outs []string
	for _, v := range runs {
		r := rawRecord(v)
		newNormaliser(v.runID, r.Date, "", nil, []Container{{ID: v.ctr, Name: v.name}}).result(r)
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out := string(data)
		for _, real := range []string{v.runID, v.img1[:12], v.img2[:12], v.img3[:12], v.ctr[:12], v.vol1[:12], v.vol2[:12], v.name, v.date, v.ip, v.port1, v.port2, "[" + v.pid + "]"} {
			if strings.Contains(out, real) {
				t.Errorf("la valeur réelle %q reste dans l'enregistrement normalisé", real)
			}
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("deux exécutions donnent deux enregistrements différents :\n%s\n---\n%s", outs[0], outs[1])
	}
	for _, want := range []string{"Up 4 seconds", "5 seconds ago", "brave_curie", "172.18.0.1:54322", "2025-11-20 14:03:12.345 UTC [64]", standIn1[:12], standIn1} {
		if !strings.Contains(outs[0], want) {
			t.Errorf("l'enregistrement normalisé ne contient pas %q :\n%s", want, outs[0])
		}
	}
}

// The stand-ins have the shape of what they replace, and differ from one
// alias to the next.
func TestNormaliseStandIns(t *testing.T) {
	n := newNormaliser("", "", "", nil, nil)
	seen := map[string]int{}
	for k := 1; k <= 2000; k++ {
		raw := standInID("", -k, 0) // any 64-hex value, distinct from the stand-ins
		full, short := n.id(raw), n.id(raw[:12])
		if !hex64.MatchString(full) || !strings.HasPrefix(full, short) || len(short) != 12 {
			t.Fatalf("identifiant %d : %q et %q", k, full, short)
		}
		if j, dup := seen[short]; dup {
			t.Fatalf("identifiants %d et %d : même remplaçant %s", j, k, short)
		}
		seen[short] = k
	}
	names := map[string]int{}
	for k := 1; k <= 160; k++ { // sixteen names, then nine rounds with a digit
		name := generatedName("", k)
		if !generated.MatchString(name) {
			t.Errorf("nom %d : %q n'a pas la forme d'un nom de Docker", k, name)
		}
		if j, dup := names[name]; dup {
			t.Fatalf("noms %d et %d : même remplaçant %s", j, k, name)
		}
		names[name] = k
	}
	if generatedName("", 1) != "brave_curie" || generatedName("", 2) != "festive_lovelace" {
		t.Errorf("premiers noms : %s, %s", generatedName("", 1), generatedName("", 2))
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(runStandIn) {
		t.Errorf("identifiant d'exécution : %q", runStandIn)
	}
}
