package submission

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnansweredTODOs(t *testing.T) {
	src := "# TODO: a\nx = 1\n\n# TODO: b\n\n# TODO: c\n# autre\nenv:\n  # TODO: d\nports:\n  # TODO: e\n  - 1\n# TODO: f"
	var got []string
	for _, td := range unansweredTODOs([]byte(src)) {
		got = append(got, td.text)
	}
	if strings.Join(got, ",") != "b,c,d,f" {
		t.Errorf("TODO sans réponse : %v, attendu b, c, d et f", got)
	}
	// An answer after a blank line; a sibling key with its own TODO; an
	// answer that is itself a block.
	src = "# TODO: g\n\nFROM x\n\n# TODO: h\n\n# autre\nservices:\n  api:\n    # TODO: i\n    ports:\n      # TODO: j\n  db:\n    # TODO: k\n    build:\n      context: .\n"
	got = nil
	for _, td := range unansweredTODOs([]byte(src)) {
		got = append(got, td.text)
	}
	if strings.Join(got, ",") != "h,i,j" {
		t.Errorf("TODO sans réponse : %v, attendu h, i et j", got)
	}
}

// The lab's starting files (depart/), untouched: not refused, every
// question with a file fails, 3.a first, on its first TODO's line.
func TestStartingFilesFailAtTheirTODOs(t *testing.T) {
	sub, err := Load(filepath.Join("..", "..", "depart"))
	var ref *Refusal
	if errors.As(err, &ref) {
		t.Fatalf("les fichiers de départ sont refusés au lieu d'échouer à leurs questions :\n%s", strings.Join(ref.Reasons, "\n"))
	}
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	var first *Check
	for i, c := range sub.Checks {
		if !c.OK {
			failed[c.Question] = true
			if first == nil {
				first = &sub.Checks[i]
			}
		}
	}
	for _, q := range []string{"3.a", "3.b", "5.b"} {
		if !failed[q] {
			t.Errorf("la question %s passe sur les fichiers de départ", q)
		}
	}
	if first == nil || first.Question != "3.a" || first.File != "api/app.py" || first.Line != 1 ||
		!strings.Contains(first.Message, "« # TODO: importer FastAPI » attend encore sa réponse") {
		t.Errorf("premier échec : %+v, attendu 3.a, api/app.py ligne 1, le TODO nommé", first)
	}
}

// A file without TODOs that does not parse is still refused.
func TestUnreadableWithoutTODOStillRefused(t *testing.T) {
	dir := copyTree(t, "correct-tp")
	write(t, dir, "Dockerfile", "RUN echo sans FROM\n")
	_, err := Load(dir)
	var ref *Refusal
	if !errors.As(err, &ref) || !strings.Contains(strings.Join(ref.Reasons, "\n"), "BuildKit ne lit pas ce Dockerfile") {
		t.Errorf("un Dockerfile illisible sans TODO : %v, attendu un refus", err)
	}
}
