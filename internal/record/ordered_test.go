package record

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestOrderedHelperProcess is the subprocess of TestOrderedTee, not a test:
// each line it reads ("stdout TEXT" or "stderr TEXT") it writes, without
// buffering, on that stream.
func TestOrderedHelperProcess(t *testing.T) {
	if os.Getenv("TPDOCKER_ORDERED_HELPER") != "1" {
		t.Skip("sous-processus de TestOrderedTee")
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		stream, text, _ := strings.Cut(in.Text(), " ")
		f := os.Stdout
		if stream == "stderr" {
			f = os.Stderr
		}
		f.WriteString(text + "\n")
	}
	os.Exit(0)
}

// TestOrderedTee: a real subprocess writes on its standard output and
// error in turn, each write once the previous one has come through; both
// streams reach their own writer whole, and the ordered stream holds the
// writes in the order they were made.
func TestOrderedTee(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestOrderedHelperProcess$")
	cmd.Env = append(os.Environ(), "TPDOCKER_ORDERED_HELPER=1")
	var o Ordered
	var stdout, stderr strings.Builder
	cmd.Stdout = o.Tee("stdout", &stdout)
	cmd.Stderr = o.Tee("stderr", &stderr)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var want, wantOut, wantErr strings.Builder
	for i := range 12 {
		stream := []string{"stderr", "stdout"}[i%2]
		if i%3 == 2 {
			stream = "stderr" // twice in a row on one stream, now and then
		}
		line := fmt.Sprintf("%s %d", stream, i)
		fmt.Fprintln(in, stream+" "+line)
		want.WriteString(line + "\n")
		if stream == "stdout" {
			wantOut.WriteString(line + "\n")
		} else {
			wantErr.WriteString(line + "\n")
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.HasSuffix(o.String(), line+"\n") {
			if time.Now().After(deadline) {
				t.Fatalf("%q n'est pas arrivé ; flux ordonné :\n%s", line, o.String())
			}
			time.Sleep(time.Millisecond)
		}
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := o.String(); got != want.String() {
		t.Errorf("flux ordonné :\n%s\nattendu :\n%s", got, want.String())
	}
	if stdout.String() != wantOut.String() || stderr.String() != wantErr.String() {
		t.Errorf("sortie :\n%s\nerreurs :\n%s", stdout.String(), stderr.String())
	}
	for i, c := range o.Chunks() {
		if i > 0 && o.Chunks()[i-1].Stream == c.Stream {
			t.Errorf("morceaux %d et %d sur le même flux, non joints", i-1, i)
		}
	}
}

// TestAttachOrdered: a step that wrote on both streams gets the ordered
// stream of its docker invocation; a terminal's step takes none, a step
// whose invocation does not hold its outputs keeps them apart.
func TestAttachOrdered(t *testing.T) {
	started := "INFO:     Started server process [1]\n"
	get := `INFO:     172.17.0.1:40112 - "GET /health HTTP/1.1" 200 OK` + "\n"
	steps := []Step{
		{Cmd: "docker run -it alpine sh", Tty: "/ # exit\n", terminal: true},
		{Cmd: "docker run -p 8000:8000 simple-api", Stdout: get, Stderr: started},
		{Cmd: "curl http://localhost:8000/health", Stdout: `{"status":"ok"}`},
		{Cmd: "docker ps", Stdout: "CONTAINER ID\n"},
		{Cmd: "docker logs x", Stdout: "a\n", Stderr: "b\n"},
		{Cmd: "docker compose ps", Stdout: "NAME\n", Stderr: "$WORK/tpdocker/docker-compose.yml: obsolete\n"},
	}
	invs := []Invocation{
		{Args: []string{"run", "-p", "8000:8000", "simple-api"}, Chunks: []Chunk{{"stderr", started}, {"stdout", get}}},
		{Args: []string{"ps"}, Chunks: []Chunk{{"stdout", "CONTAINER ID\n"}}},
		{Args: []string{"logs", "x"}, Chunks: []Chunk{{"stdout", "other\n"}, {"stderr", "b\n"}}},
		{Args: []string{"compose", "ps"}, Work: "/tmp/w", Chunks: []Chunk{{"stderr", "/tmp/w/tpdocker/docker-compose.yml: obsolete\n"}, {"stdout", "NAME\n"}}},
	}
	AttachOrdered(steps, invs)
	if got, want := steps[1].Output, started+get; got != want {
		t.Errorf("docker run : %q, attendu %q", got, want)
	}
	if got, want := steps[5].Output, steps[5].Stderr+steps[5].Stdout; got != want {
		t.Errorf("docker compose ps : %q, attendu %q", got, want)
	}
	for _, i := range []int{0, 2, 3, 4} {
		if steps[i].Output != "" {
			t.Errorf("%s : flux ordonné %q inattendu", steps[i].Cmd, steps[i].Output)
		}
	}

	dir := t.TempDir()
	for i, inv := range invs {
		inv.Start = int64(len(invs) - i)
		if err := WriteInvocation(dir, inv); err != nil {
			t.Fatal(err)
		}
	}
	back, err := ReadInvocations(dir)
	if err != nil || len(back) != 4 || back[0].Args[0] != "compose" || back[3].Args[0] != "run" {
		t.Errorf("relues dans l'ordre de leur début : %v (%v)", back, err)
	}
}

// TestReordered: Compose warns about its file before it starts the build;
// once the build's progress is put in a fixed order, the warning is still
// first, the build's lines come as one block where the build began, and the
// lines written after it stay after it.
func TestReordered(t *testing.T) {
	warn := "level=warning msg=\"the attribute `version` is obsolete\"\n"
	out := "#2 [internal] load .dockerignore\n#1 [internal] load build definition\n"
	canon := "#1 [internal] load build definition\n#2 [internal] load .dockerignore\n"
	errs := warn + " tpdocker-api  Built\n Container tpdocker-db-1  Started\n"
	output := warn + "#2 [internal] load .dockerignore\n tpdocker-api  Built\n#1 [internal] load build definition\n Container tpdocker-db-1  Started\n"
	got := Reordered(output, out, errs, canon, errs)
	want := warn + canon + " tpdocker-api  Built\n Container tpdocker-db-1  Started\n"
	if got != want {
		t.Errorf("obtenu :\n%s\nattendu :\n%s", got, want)
	}
	if Reordered("other\n", out, errs, canon, errs) != "" {
		t.Error("une sortie qui n'est pas faite des deux flux donne une sortie ordonnée")
	}
	// The last line without a newline, as curl writes it.
	if got := Reordered("b\na", "a", "b\n", "a", "B\n"); got != "B\na" {
		t.Errorf("sans fin de ligne : %q", got)
	}
}
