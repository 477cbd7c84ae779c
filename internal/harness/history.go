package harness

// The run's entry in the verification history (internal/history): with
// Config.HistoryFile, the suite writes there, after the run, one JSON line:
// the date and the machine, the engine's versions, each image's digest,
// the versions inside the images, each script's status and duration, each
// command's block time, and where each failure happened. .ci/publish
// appends it to the data branch (cmd/history).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"tpdocker/internal/history"
)

// writeHistory writes the run's entry to -historique's file, if asked and
// if scripts ran; it returns the exit code, 1 if the entry could not be
// written.
func (s *Suite) writeHistory(code int) int {
	if s.cfg.HistoryFile == "" {
		return code
	}
	e, err := s.historyEntry()
	if err == nil {
		var line []byte
		if line, err = e.Line(); err == nil {
			err = os.WriteFile(s.cfg.HistoryFile, append(line, '\n'), 0o644)
		}
	}
	if err != nil {
		fmt.Println("tpdocker: entrée d'historique non écrite :", err)
		return 1
	}
	fmt.Printf("tpdocker: entrée d'historique écrite dans %s (%s, %.0f s)\n", s.cfg.HistoryFile, e.Status, e.Seconds)
	return code
}

// historyEntry makes the run's entry from its scripts' results.
func (s *Suite) historyEntry() (*history.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scripts := s.ran()
	if s.info == nil || len(scripts) == 0 {
		return nil, fmt.Errorf("aucun script n'a tourné")
	}
	e := &history.Entry{
		Date:   time.Now().UTC().Format(time.RFC3339),
		Status: "pass",
		Event:  os.Getenv("HISTORY_EVENT"),
		Commit: os.Getenv("GITHUB_SHA"),
		Runner: runnerInfo(),
		Engine: history.Engine{Engine: s.info.Engine, Client: s.info.Client, Compose: s.info.Compose,
			Buildx: history.BuildxVersion(s.info.Builder), Store: s.info.Store},
	}
	if e.Event == "" {
		e.Event = "local"
	}
	if e.Commit == "" {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			e.Commit = strings.TrimSpace(string(out))
		}
	}
	if s, r, id := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_RUN_ID"); s != "" && r != "" && id != "" {
		e.RunURL = s + "/" + r + "/actions/runs/" + id
	}
	refs := make([]string, 0, len(s.info.Images))
	for ref := range s.info.Images {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		im := s.info.Images[ref]
		h := history.Image{Ref: ref, Kind: im.Kind, ID: im.ID}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if ins, err := s.cli.ImageInspect(ctx, ref); err == nil {
			h.ID = ins.ID
			if len(ins.RepoDigests) > 0 {
				h.Digest = ins.RepoDigests[0]
			}
		}
		cancel()
		e.Images = append(e.Images, h)
	}
	var outputs []string
	var first, last time.Time
	for _, sc := range scripts {
		n, r := sc.Name, sc.result
		hs := history.Script{Script: n, Status: r.Status, Seconds: round1(sc.elapsed.Seconds())}
		inBlock := map[int]int{}
		for _, st := range r.Steps {
			inBlock[st.Block]++
		}
		for _, st := range r.Steps {
			hs.Steps = append(hs.Steps, history.Step{Cmd: st.Cmd, Block: st.Block, InBlock: inBlock[st.Block], Seconds: st.Seconds})
			outputs = append(outputs, st.Tty, st.Stdout)
		}
		if end := sc.ended; !end.IsZero() {
			if start := end.Add(-sc.elapsed); first.IsZero() || start.Before(first) {
				first = start
			}
			if end.After(last) {
				last = end
			}
		}
		if r.Status != "pass" {
			e.Status = "fail"
			section, cmd, out := "", "", ""
			if k := len(r.Steps); k > 0 {
				st := r.Steps[k-1]
				section, cmd, out = st.Section, st.Cmd, strings.TrimSpace(st.Tty+"\n"+st.Stdout+"\n"+st.Stderr)
			}
			src, _ := os.ReadFile(filepath.Join(s.cfg.ScriptDir, n+".txtar"))
			f, ok := history.FailureOf(n, sc.transcript, string(src), section, cmd, out)
			if !ok {
				f = history.Failure{Script: n, File: s.cfg.ScriptDir + "/" + n + ".txtar", Message: "échec sans ligne FAIL dans la transcription", Cmd: cmd, Actual: history.FirstLines(out, 12)}
			}
			e.Failures = append(e.Failures, f)
		}
		e.Scripts = append(e.Scripts, hs)
	}
	e.Inside = history.InsideVersions(outputs)
	if !first.IsZero() {
		e.Seconds = round1(last.Sub(first).Seconds())
	}
	return e, nil
}

func round1(s float64) float64 { return float64(int64(s*10+0.5)) / 10 }

var prettyName = regexp.MustCompile(`(?m)^PRETTY_NAME="?([^"\n]*)"?$`)

// runnerInfo names the machine: GitHub's runner and its image when there,
// else the host, and the system from /etc/os-release.
func runnerInfo() history.Runner {
	r := history.Runner{Name: os.Getenv("RUNNER_NAME"), OS: runtime.GOOS}
	if r.Name == "" {
		r.Name, _ = os.Hostname()
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		if m := prettyName.FindSubmatch(b); m != nil {
			r.OS = string(m[1])
		}
	}
	if img := strings.TrimSpace(os.Getenv("ImageOS") + " " + os.Getenv("ImageVersion")); img != "" {
		r.Image = img
	}
	return r
}
