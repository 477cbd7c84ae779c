package record

// Records and captures on golden files: a script of testdata/script, the
// transcript testscript printed for it, and the record and capture drawn
// from them.
//
//	go test ./internal/record -update    rewrites the golden files

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s a changé (go test -update pour le réécrire) ; obtenu :\n%s", path, got)
	}
}

var sampleRun = Run{
	RunID: "1879c4d2e8f0", Date: "2026-03-02",
	Engine: "29.8.0", Client: "29.8.0", Compose: "2.40.3", Builder: "BuildKit (buildx 0.29.1)", Store: "containerd",
	Images: map[string]Image{
		"alpine:latest":   {Name: "alpine:latest", Kind: "official", Origin: "alpine@sha256:0123"},
		"python:3.9-slim": {Name: "python:3.9-slim", Kind: "standin", Origin: "debian:bookworm"},
		"postgres:16":     {Name: "postgres:16", Kind: "official", Origin: "postgres@sha256:4567"},
	},
}

// sampleRecord makes the record of testdata/script/ex0-sample from its transcript.
func sampleRecord(t *testing.T) *Result {
	t.Helper()
	archive, err := txtar.ParseFile(filepath.Join("testdata", "script", "ex0-sample.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	transcript, err := os.ReadFile(filepath.Join("testdata", "script", "ex0-sample.transcript"))
	if err != nil {
		t.Fatal(err)
	}
	return Make("ex0-sample", string(transcript), archive, false, sampleRun,
		[]Container{{ID: "0d5b8f1e9c64a7b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9", Name: "vigorous_jemison"}})
}

func TestWriteRecord(t *testing.T) {
	r := sampleRecord(t)
	dir := t.TempDir()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "ex0-sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ex0-sample.json", got)
	back, err := Read(dir, "ex0-sample")
	if err != nil {
		t.Fatal(err)
	}
	if back.Commands() != 5 || r.Commands() != 5 {
		t.Errorf("%d commandes relues, %d enregistrées ; 5 attendues", back.Commands(), r.Commands())
	}
}

func TestWriteCaptures(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sampleRecord(t)); err != nil {
		t.Fatal(err)
	}
	c := Capture{Name: "sample", Script: "ex0-sample", Title: "sh, printf", Cmds: []CaptureCmd{
		{Cmd: displayFirst, Nth: 1},
		{Cmd: `printf "{\"status\":\"ok\"}"`, Nth: 1},
		{Cmd: "cat", Nth: 1, Lines: 1},
	}}
	out := filepath.Join(dir, "captures")
	if err := WriteCaptures(out, dir, []Capture{c}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "sample.svg"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.svg", got)
	missing := Capture{Name: "absente", Script: "ex0-sample", Cmds: []CaptureCmd{{Cmd: "docker ps", Nth: 1}}}
	if _, err := missing.Draw(dir); err == nil {
		t.Error("une capture d'une commande absente de l'enregistrement est dessinée sans erreur")
	}
}

// displayFirst is the first command of the sample as a reader types it.
const displayFirst = `sh -c "echo Bonjour depuis alpine 5f2b9c1d7e3a8b6c4d0e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c; echo attention >&2"`

func TestDisplayCommand(t *testing.T) {
	for in, want := range map[string]string{
		`exec docker run alpine echo 'Bonjour depuis un conteneur'`: `exec docker run alpine echo "Bonjour depuis un conteneur"`,
		`docker stop $NAME`:            `docker stop <NAME>`,
		`docker stop ${ID}`:            `docker stop <ID>`,
		`sh -c 'it''s'`:                `sh -c "it's"`,
		`printf ''`:                    `printf ""`,
		`curl http://localhost:8000/x`: `curl http://localhost:8000/x`,
	} {
		if got := DisplayCommand(in); got != want {
			t.Errorf("DisplayCommand(%q) = %q, attendu %q", in, got, want)
		}
	}
}

// TestStepBlockTimes: each step carries its block's number and the time
// testscript wrote on the block's last comment line; neither reaches the
// record's JSON.
func TestStepBlockTimes(t *testing.T) {
	r := sampleRecord(t)
	type bt struct {
		block int
		secs  float64
	}
	want := []bt{{1, 0.002}, {2, 0.002}, {2, 0.002}, {3, 0.015}, {3, 0.015}}
	if len(r.Steps) != len(want) {
		t.Fatalf("%d étapes, attendu %d", len(r.Steps), len(want))
	}
	for i, s := range r.Steps {
		if got := (bt{s.Block, s.Seconds}); got != want[i] {
			t.Errorf("étape %d (%s) : bloc %d en %gs, attendu bloc %d en %gs", i, s.Cmd, got.block, got.secs, want[i].block, want[i].secs)
		}
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("0.015")) || bytes.Contains(data, []byte(`"Block"`)) {
		t.Errorf("durées ou blocs dans l'enregistrement : %s", data)
	}
}

// TestCaptureKeepsLongLines: a line wider than the window (docker ps's
// PORTS and NAMES) goes on, on the next line, as a terminal wraps it:
// nothing is cut, even opened full size.
func TestCaptureKeepsLongLines(t *testing.T) {
	long := "CONTAINER ID   IMAGE   " + strings.Repeat("x", 180) + "   0.0.0.0:8000->8000/tcp   tpdocker-api-1"
	svg := string(Capture{Name: "c", Title: "t"}.SVG("$ docker ps\n" + long))
	if !strings.Contains(svg, "tpdocker-api-1") || strings.Contains(svg, "…") {
		t.Errorf("la capture coupe la ligne longue :\n%s", svg)
	}
}
