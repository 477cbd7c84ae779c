package harness

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/record"
)

// T is testscript's T for the suite's scripts, with two changes: it always
// asks for the full transcript (Verbose), which it keeps for the script's
// record, and it shows that transcript only where go test would (-v, or a
// failure).
func (s *Suite) T(t *testing.T) testscript.T { return recordingT{T: t, suite: s} }

type recordingT struct {
	*testing.T
	suite *Suite
	name  string
}

func (t recordingT) Verbose() bool { return true }

func (t recordingT) Run(name string, f func(testscript.T)) {
	t.T.Run(name, func(tt *testing.T) { f(recordingT{T: tt, suite: t.suite, name: name}) })
}

func (t recordingT) Log(args ...any) {
	s := fmt.Sprint(args...)
	if t.name != "" && strings.Contains(s, "\n> ") {
		t.suite.keepTranscript(t.T, t.name, s)
	}
	if testing.Verbose() || t.T.Failed() {
		t.T.Log(s)
	}
}

// keepTranscript makes the script's record from its transcript.
func (s *Suite) keepTranscript(t *testing.T, name, transcript string) {
	archive, err := txtar.ParseFile(filepath.Join(s.cfg.ScriptDir, name+".txtar"))
	if err != nil {
		t.Logf("enregistrement impossible : %v", err)
		return
	}
	run := record.Run{
		RunID:   s.runID,
		Date:    time.Now().UTC().Format("2006-01-02"),
		Engine:  s.info.Engine,
		Client:  s.info.Client,
		Compose: s.info.Compose,
		Builder: s.info.Builder,
		Store:   s.info.Store,
		Images:  map[string]record.Image{},
	}
	for ref, im := range s.info.Images {
		run.Images[ref] = record.Image{Name: im.Name, Kind: im.Kind, Origin: im.Origin}
	}
	s.mu.Lock()
	invs := s.script(name).ordered
	s.mu.Unlock()
	r := record.MakeRaw(name, transcript, archive, t.Failed(), run, invs)
	s.mu.Lock()
	sc := s.script(name)
	sc.result, sc.transcript, sc.ended = r, transcript, time.Now()
	s.mu.Unlock()
}

// writeRecords normalises the run's records together, so that an object
// keeps one stand-in in all of them and two objects never share one, and
// those it shares with records not re-made keep theirs
// (record.NormaliseRun), and writes them under Update; it returns the exit
// code, 1 if a record could not be written.
func (s *Suite) writeRecords(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	scripts := s.ran()
	if len(scripts) == 0 {
		return code
	}
	rs := make([]*record.Result, 0, len(scripts))
	created := map[string][]record.Container{}
	for _, sc := range scripts {
		rs = append(rs, sc.result)
		created[sc.Name] = sc.created
	}
	record.NormaliseRun(rs, s.runID, created, s.cfg.RecordDir, s.cfg.Update)
	if !s.cfg.Update {
		return code
	}
	for _, r := range rs {
		if err := record.Write(s.cfg.RecordDir, r); err != nil {
			fmt.Println("tpdocker: écriture de l'enregistrement :", err)
			code = 1
		}
	}
	return code
}
