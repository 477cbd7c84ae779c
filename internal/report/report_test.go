package report

// The per-question report: its model (counts, lab order, JSON round trip)
// and its terminal text, checked against testdata/*.txt
// (go test ./internal/report/ -update rewrites them).

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt from the reports")

// sample is a realistic report with every status, a long output, a
// dependency, differences from the author's run, and a question that has
// no pattern: its questions are out of order, as concurrent runs may list
// them.
func sample() *Report {
	var long []string
	for i := 1; i <= 15; i++ {
		long = append(long, "#"+strings.Repeat("=", i%5)+" étape "+strings.Repeat("x", i))
	}
	return &Report{
		Student: "alice",
		Folder:  "/home/prof/rendus/alice",
		Date:    "2026-03-01T14:05:09+01:00",
		Engine:  "Docker 29.8.0 (containerd)",
		Skipped: "Exercices 1, 2 et 8 : ne dépendent pas de vos fichiers, non lancés.",
		Questions: []Question{
			{ID: "10.a", Title: "Le volume garde les données après docker compose down", Status: OK, Seconds: 14.2},
			{ID: "3.a", Title: "app.py expose /health", Status: OK, Seconds: 0.4},
			{
				ID: "4.b", Title: "/health renvoie le JSON attendu", Status: Fail,
				Reason:   "la réponse n'est pas celle attendue",
				Command:  "curl http://localhost:8000/health",
				Expected: `une ligne exactement {"status":"ok"}`,
				Pattern:  `^\{"status":"ok"\}$`,
				Actual:   "{\"status\":\"OK\"}\n",
				Hint:     `app.py, ligne 9 : @app.get("/health")`,
				Seconds:  2.1,
			},
			{
				ID: "4.c", Title: "La réponse donne la version de Python", Status: Unverifiable,
				Reason: "dépend de 4.b, en échec",
			},
			{
				ID: "5.a", Title: "L'image se construit", Status: Fail,
				Command:     "docker build -t tp-api .",
				Expected:    "la construction se termine sans erreur",
				Actual:      strings.Join(long, "\n"),
				Hint:        "Dockerfile, ligne 2 : FROM python:3.12",
				Differences: []string{"l'image pèse 180 Mo (l'auteur : 152 Mo)"},
				Seconds:     95.3,
			},
			{ID: "5.b", Status: Unverifiable, Reason: "non atteinte : 5.a en échec"},
			{
				ID: "3.b", Title: "Le conteneur répond sur le port 8000", Status: OK, Seconds: 80,
				Differences: []string{"le conteneur s'appelle « api-1 » (l'auteur : « api »)"},
			},
		},
		Seconds: 192.4,
	}
}

// refused is a folder refused before anything ran.
func refused() *Report {
	return &Report{
		Student: "bob",
		Folder:  "/home/prof/rendus/bob",
		Date:    "2026-03-01T14:09:00Z",
		Refused: []string{"pas de Dockerfile dans le dossier", "docker-compose.yml illisible : ligne 3 : mapping values are not allowed here"},
		Seconds: 0.02,
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/report/ -update l'écrit)", err)
	}
	if got != string(want) {
		t.Errorf("%s a changé (go test ./internal/report/ -update le réécrit) ; obtenu :\n%s", path, got)
	}
}

func TestPassedAndCounts(t *testing.T) {
	r := sample()
	if r.Passed() {
		t.Error("a report with failures passed")
	}
	if ok, fail, unv := r.Counts(); ok != 3 || fail != 2 || unv != 2 {
		t.Errorf("Counts() = %d, %d, %d ; want 3, 2, 2", ok, fail, unv)
	}
	pass := &Report{Questions: []Question{{ID: "3.a", Status: OK}, {ID: "3.b", Status: Unverifiable}}}
	if !pass.Passed() {
		t.Error("a report without failures did not pass")
	}
	if refused().Passed() {
		t.Error("a refused folder passed")
	}
	odd := &Report{Questions: []Question{{ID: "3.a", Status: "bizarre"}}}
	if _, _, unv := odd.Counts(); unv != 1 {
		t.Error("an unknown status is not counted as unverifiable")
	}
}

func TestCompareIDs(t *testing.T) {
	ordered := []string{"1.a", "2.b", "3", "3.a", "3.b", "3.b2", "3.b10", "4.a", "9.b", "10.a", "10.b", "11.a", "x"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareIDs(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareIDs(%q, %q) = %d ; want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	shuffled := []string{"10.a", "x", "3.b10", "9.b", "3", "1.a", "4.a", "3.b2", "11.a", "3.a", "2.b", "10.b", "3.b"}
	slices.SortFunc(shuffled, CompareIDs)
	if !slices.Equal(shuffled, ordered) {
		t.Errorf("sorted: %q", shuffled)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0,0 s", 0.4: "0,4 s", 9.94: "9,9 s", 9.96: "10 s", 45: "45 s", 59.6: "1 min 0 s",
		192.4: "3 min 12 s", 3900: "1 h 05 min", -1: "0,0 s",
	} {
		if got := Duration(in); got != want {
			t.Errorf("Duration(%v) = %q ; want %q", in, got, want)
		}
	}
}

func TestFrenchDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-01T14:05:09+01:00": "1er mars 2026 à 14 h 05 (UTC+01:00)",
		"2026-12-24T08:30:00Z":      "24 décembre 2026 à 8 h 30 (UTC)",
		"hier":                      "hier",
	} {
		if got := frenchDate(in); got != want {
			t.Errorf("frenchDate(%q) = %q ; want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	r := sample()
	r.Grade(&Bareme{Name: "bareme.txt", Points: map[string]float64{"4.b": 2, "3.b": 0.5}})
	got := r.Text()
	golden(t, "echec.txt", got)
	lines := strings.Split(got, "\n")
	for _, want := range []string{
		"Vérification du TP de alice (Docker 29.8.0, containerd) — 3 min 12 s",
		"  ✅ 3.a   réussie  app.py expose /health",
		"  ❌ 4.b   échouée  /health renvoie le JSON attendu",
		"  –  4.c   La réponse donne la version de Python",
		"           non vérifiable : dépend de 4.b, en échec",
		"  –  5.b   non vérifiable : non atteinte : 5.a en échec",
		"Exercices 1, 2 et 8 : ne dépendent pas de vos fichiers, non lancés.",
		"❌ 4.b  /health renvoie le JSON attendu",
		"   raison   : la réponse n'est pas celle attendue",
		"   commande : curl http://localhost:8000/health",
		// Too wide for one line beside its pattern:
		`   attendu  : une ligne exactement {"status":"ok"}`,
		`   motif    : ^\{"status":"ok"\}$`,
		"   obtenu   :",
		`     {"status":"OK"}`,
		`   indice   : app.py, ligne 9 : @app.get("/health")`,
		"   attendu  : la construction se termine sans erreur",
		"     … et 3 lignes de plus",
		"Différent du rapport de l'auteur (pas une erreur) :",
		"   3.b   le conteneur s'appelle « api-1 » (l'auteur : « api »)",
		"   5.a   l'image pèse 180 Mo (l'auteur : 152 Mo)",
		"Bilan : 3 réussies, 2 échouées, 2 non vérifiables.",
		"Note : 2,5/7,5 (barème bareme.txt).",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("no line %q in:\n%s", want, got)
		}
	}
	// The list is in the lab's order, 10.a last.
	order := []string{"  ✅ 3.a ", "  ✅ 3.b ", "  ❌ 4.b ", "  –  4.c ", "  ❌ 5.a ", "  –  5.b ", "  ✅ 10.a"}
	at := -1
	for _, prefix := range order {
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
		if i <= at {
			t.Errorf("%q is not after the question before it", prefix)
		}
		at = i
	}
	// Twelve lines of the long output, not more.
	if !slices.Contains(lines, "     #== étape xxxxxxxxxxxx") || strings.Contains(got, "étape xxxxxxxxxxxxx") {
		t.Error("the long output is not cut after its twelfth line")
	}
	// The text keeps to 80 columns, but for the outputs (indented by five).
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 80 && !strings.HasPrefix(l, "     ") {
			t.Errorf("line wider than 80 columns: %q", l)
		}
	}
}

func TestTextRefused(t *testing.T) {
	r := refused()
	r.Grade(nil)
	got := r.Text()
	golden(t, "refuse.txt", got)
	for _, want := range []string{
		"Vérification du TP de bob — 0,0 s\n",
		"Dossier refusé avant toute exécution :\n  - pas de Dockerfile dans le dossier\n  - docker-compose.yml illisible",
		"\nBilan : dossier refusé, aucune question lancée.\nNote : 0/21 (barème défaut).\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "non vérifiable") {
		t.Errorf("a refused report without questions speaks of unverifiable ones:\n%s", got)
	}
}

func TestTextPattern(t *testing.T) {
	r := &Report{Student: "a", Questions: []Question{{ID: "3.a", Status: Fail, Expected: "une ligne ok", Pattern: "^ok$"}}}
	if want := "\n   attendu  : une ligne ok   (motif : ^ok$)\n"; !strings.Contains(r.Text(), want) {
		t.Errorf("no %q in:\n%s", want, r.Text())
	}
	r.Questions[0].Expected = ""
	if want := "\n   motif    : ^ok$\n"; !strings.Contains(r.Text(), want) {
		t.Errorf("no %q in:\n%s", want, r.Text())
	}
}

func TestTextPassed(t *testing.T) {
	r := &Report{Student: "chloé", Engine: "Docker 29.8.0 (containerd), contexte « colima »", Seconds: 45,
		Questions: []Question{{ID: "3.a", Title: "app.py expose /health", Status: OK}}}
	got := r.Text()
	want := "Vérification du TP de chloé (Docker 29.8.0, containerd, contexte « colima ») — 45 s\n" +
		"  ✅ 3.a  réussie  app.py expose /health\n" +
		"\nBilan : 1 réussie, 0 échouée, 0 non vérifiable.\n"
	if got != want {
		t.Errorf("Text() =\n%s\nwant:\n%s", got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, r := range []*Report{sample(), refused(), {Student: "vide"}} {
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", r.Student, err, b)
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("%s: ReadJSON(JSON()) differs:\n%#v\n%#v", r.Student, back, r)
		}
		var keys map[string]any
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"student", "folder", "date", "engine", "questions", "seconds"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("%s: no key %q in %s", r.Student, k, b)
			}
		}
		if qs, ok := keys["questions"].([]any); !ok || qs == nil {
			t.Errorf("%s: questions is not a list: %s", r.Student, b)
		}
	}
	b, _ := sample().JSON()
	for _, want := range []string{`"id": "4.b"`, `"status": "fail"`, `"status": "unverifiable"`, `"pattern": "^\\{\"status\":\"ok\"\\}$"`,
		`"differences": [`, `"skipped": "Exercices 1, 2 et 8`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in the JSON", want)
		}
	}
	if strings.Contains(string(b), `"hint": ""`) {
		t.Error("an empty optional field is written")
	}
	b, _ = refused().JSON()
	if !strings.Contains(string(b), `"refused": [`) {
		t.Errorf("no refusal in %s", b)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"unknown status": `{"student":"a","questions":[{"id":"3.a","status":"passed"}]}`,
		"unknown field":  `{"student":"a","eleve":"a","questions":[]}`,
		"two reports":    `{"student":"a","questions":[]} {}`,
		"not JSON":       `rapport`,
	} {
		if _, err := ReadJSON([]byte(in)); err == nil {
			t.Errorf("%s: read without error", name)
		} else if !strings.HasPrefix(err.Error(), "rapport illisible") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestProgressLine: while the check runs, a question's line is the
// report's, with the verdict in words, and says why it is not verifiable.
func TestProgressLine(t *testing.T) {
	for q, want := range map[*Question]string{
		{ID: "4.b", Title: "/health répond", Status: Fail}:                                                                 "  ❌ 4.b  échouée  /health répond",
		{ID: "3.a", Title: "app.py expose /health", Status: OK}:                                                            "  ✅ 3.a  réussie  app.py expose /health",
		{ID: "4.c", Title: "docker ps", Status: Unverifiable, Reason: "l'exercice s'est arrêté avant, à la question 4.b."}: "  –  4.c  non vérifiable  docker ps : l'exercice s'est arrêté avant, à la question 4.b.",
	} {
		if got := ProgressLine(*q); got != want {
			t.Errorf("ProgressLine(%s) = %q, want %q", q.ID, got, want)
		}
	}
}
