package record

// A terminal shows a command's standard output and error in one stream, in
// the order the command wrote them; testscript keeps them apart, as the
// scripts' assertions need them. The harness runs the docker client through
// a wrapper that passes both streams on and also keeps them in one ordered
// stream (Ordered); the record shows that stream (Step.Output).

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Chunk is what one write of a command brought, on one of its streams.
type Chunk struct {
	Stream string `json:"stream"` // "stdout" or "stderr"
	Text   string `json:"text"`
}

// Ordered keeps the writes of a command's two streams in the order they
// arrive. Each stream is read from its own pipe: writes that follow each
// other closer than the reader is scheduled may arrive in either order, as
// they may on a terminal's screen; writes apart in time (a server's log
// lines, a client's progress) keep their order.
type Ordered struct {
	mu     sync.Mutex
	chunks []Chunk
}

// Tee returns a writer for the stream (stdout or stderr) that writes to w
// and keeps each write, in order, in o.
func (o *Ordered) Tee(stream string, w io.Writer) io.Writer {
	return teeWriter{o: o, stream: stream, w: w}
}

type teeWriter struct {
	o      *Ordered
	stream string
	w      io.Writer
}

func (t teeWriter) Write(p []byte) (int, error) {
	t.o.mu.Lock()
	defer t.o.mu.Unlock()
	// Kept before it is passed on: whoever reads w sees it after o has it.
	if n := len(t.o.chunks); n > 0 && t.o.chunks[n-1].Stream == t.stream {
		t.o.chunks[n-1].Text += string(p)
	} else {
		t.o.chunks = append(t.o.chunks, Chunk{Stream: t.stream, Text: string(p)})
	}
	return t.w.Write(p)
}

// Chunks are the writes so far, consecutive writes on one stream joined.
func (o *Ordered) Chunks() []Chunk {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Chunk(nil), o.chunks...)
}

// String is the one stream a terminal would show.
func (o *Ordered) String() string { return joinChunks(o.Chunks(), "") }

func joinChunks(cs []Chunk, stream string) string {
	var b strings.Builder
	for _, c := range cs {
		if stream == "" || c.Stream == stream {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// Invocation is one run of the docker client under the wrapper: its
// arguments, when it started, its output in order.
type Invocation struct {
	Args   []string `json:"args"` // without the program's name
	Start  int64    `json:"start"`
	Work   string   `json:"work"` // the script's folder, written $WORK in its transcript
	Chunks []Chunk  `json:"chunks"`
}

// WriteInvocation writes inv into dir, in a file of its own.
func WriteInvocation(dir string, inv Invocation) error {
	data, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "run-*.json")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadInvocations reads the invocations written into dir, in the order
// they started.
func ReadInvocations(dir string) ([]Invocation, error) {
	files, err := filepath.Glob(filepath.Join(dir, "run-*.json"))
	if err != nil {
		return nil, err
	}
	var invs []Invocation
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var inv Invocation
		if err := json.Unmarshal(data, &inv); err != nil {
			return nil, err
		}
		invs = append(invs, inv)
	}
	sort.SliceStable(invs, func(i, j int) bool { return invs[i].Start < invs[j].Start })
	return invs, nil
}

// AttachOrdered gives each step that ran the docker client, and wrote on
// both its streams, its output in the order written (Step.Output). The
// invocations are those of the script's run, in the order they started:
// the steps that ran docker, in order, outside a terminal (a terminal's
// window is already one stream). A step whose invocation does not hold
// exactly its two outputs keeps them apart.
func AttachOrdered(steps []Step, invs []Invocation) {
	i := 0
	for k := range steps {
		s := &steps[k]
		words := strings.Fields(s.Cmd)
		if s.terminal || len(words) < 2 || words[0] != "docker" {
			continue
		}
		if i >= len(invs) {
			return
		}
		inv := invs[i]
		i++
		if len(inv.Args) == 0 || inv.Args[0] != words[1] || s.Stdout == "" || s.Stderr == "" {
			continue
		}
		if inv.Work != "" {
			// The transcript names the script's folder $WORK.
			cs := make([]Chunk, len(inv.Chunks))
			for j, c := range inv.Chunks {
				cs[j] = Chunk{Stream: c.Stream, Text: strings.ReplaceAll(c.Text, inv.Work, "$WORK")}
			}
			inv.Chunks = cs
		}
		out, errs := joinChunks(inv.Chunks, "stdout"), joinChunks(inv.Chunks, "stderr")
		if strings.TrimRight(out, "\n") != strings.TrimRight(s.Stdout, "\n") || strings.TrimRight(errs, "\n") != strings.TrimRight(s.Stderr, "\n") {
			continue
		}
		s.Output = joinChunks(inv.Chunks, "")
	}
}

// Reordered is a command's one stream (output, the lines of out and errs
// in the order written) once out and errs are replaced by canonOut and
// canonErr, BuildKit's progress put in a fixed order (buildkit.Canonical).
// A stream that changed is placed, whole, where its first line was: the
// lines of the other stream keep their place before and after it, so that
// what a program wrote before it started the build (Compose's warnings)
// stays before the build's lines. It returns "" when output is not made of
// out and errs.
func Reordered(output, out, errs, canonOut, canonErr string) string {
	from := interleaving(lines(output), lines(out), lines(errs))
	if from == nil {
		return ""
	}
	streams := [2][]string{lines(canonOut), lines(canonErr)}
	changed := [2]bool{canonOut != out, canonErr != errs}
	next := [2]int{}
	var b strings.Builder
	for _, k := range from {
		if changed[k] {
			if next[k] == 0 {
				for _, l := range streams[k] {
					b.WriteString(l)
				}
				next[k] = len(streams[k])
			}
			continue
		}
		b.WriteString(streams[k][next[k]])
		next[k]++
	}
	for k := range streams {
		// A stream that wrote nothing before (or lines added at its end).
		for _, l := range streams[k][min(next[k], len(streams[k])):] {
			b.WriteString(l)
		}
	}
	return b.String()
}

// lines splits s after each newline (the last line may have none).
func lines(s string) []string {
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// interleaving tells, for each line of all, which of a (0) and b (1) it
// comes from, taking a's and b's lines in their order; nil if all is not
// made of them. The last lines may differ by a final newline.
func interleaving(all, a, b []string) []int {
	if len(a)+len(b) != len(all) {
		return nil
	}
	eq := func(x, y string) bool { return strings.TrimSuffix(x, "\n") == strings.TrimSuffix(y, "\n") }
	// ok[i][j]: the first i+j lines of all are the first i of a and j of b.
	ok := make([][]bool, len(a)+1)
	for i := range ok {
		ok[i] = make([]bool, len(b)+1)
		for j := range ok[i] {
			switch {
			case i == 0 && j == 0:
				ok[i][j] = true
			default:
				ok[i][j] = (i > 0 && ok[i-1][j] && eq(a[i-1], all[i+j-1])) || (j > 0 && ok[i][j-1] && eq(b[j-1], all[i+j-1]))
			}
		}
	}
	if !ok[len(a)][len(b)] {
		return nil
	}
	from := make([]int, len(all))
	for i, j := len(a), len(b); i+j > 0; {
		if i > 0 && ok[i-1][j] && eq(a[i-1], all[i+j-1]) {
			from[i+j-1] = 0
			i--
		} else {
			from[i+j-1] = 1
			j--
		}
	}
	return from
}
