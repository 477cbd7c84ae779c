package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// LabQuestion is one question of exercises 3 to 7, as the student mode
// checks it: its exercise (the script that runs it), its title, and what it
// depends on.
type LabQuestion struct {
	ID       string
	Exercise string // the script, "ex4-run"
	Title    string // as a student recognises it, French
	// Static: read in the student's files before anything runs
	// (internal/submission), not only by its exercise's script.
	Static bool
	// Needs are the questions of other exercises, or static ones, that
	// must pass for this one to be checked: its exercise runs only when
	// every question its questions need passed. Inside an exercise, a
	// question also needs the ones before it: the script stops at the
	// first failure.
	Needs []string
}

// Lab is the one table of the questions the student mode checks, in the
// lab's order, with their dependencies as data. The student mode, the
// reports, the barème and the class table all read it.
var Lab = []LabQuestion{
	{ID: "3.a", Exercise: "ex3-build", Static: true, Title: "app.py expose la route /health"},
	{ID: "3.b", Exercise: "ex3-build", Static: true, Title: "le Dockerfile part de python:3.9-slim et lance le serveur"},
	{ID: "3.c", Exercise: "ex3-build", Title: "docker build construit l'image simple-api", Needs: []string{"3.b"}},
	{ID: "4.a", Exercise: "ex4-run", Title: "l'API démarre dans un conteneur, port 8000 publié", Needs: []string{"3.a", "3.c"}},
	{ID: "4.b", Exercise: "ex4-run", Title: `/health renvoie {"status":"ok"}`},
	{ID: "4.c", Exercise: "ex4-run", Title: "docker ps montre le conteneur, son image et son port"},
	{ID: "4.d", Exercise: "ex4-run", Title: "docker stop arrête le conteneur"},
	{ID: "5.a", Exercise: "ex5-compose", Title: "la structure du projet", Needs: []string{"5.b"}},
	{ID: "5.b", Exercise: "ex5-compose", Static: true, Title: "docker-compose.yml : l'API et PostgreSQL 16 (demo, demo, demo)"},
	{ID: "5.c", Exercise: "ex5-compose", Title: "docker compose up -d démarre les deux services", Needs: []string{"3.a", "3.c", "5.b"}},
	{ID: "5.d", Exercise: "ex5-compose", Title: "/health répond quand Compose lance l'API"},
	{ID: "5.e", Exercise: "ex5-compose", Title: "docker compose down supprime conteneurs et réseau"},
	{ID: "6.a", Exercise: "ex6-postgres", Title: "psql dans le conteneur db", Needs: []string{"3.c", "5.b"}},
	{ID: "6.b", Exercise: "ex6-postgres", Title: "PostgreSQL 16 et la base demo"},
	{ID: "6.c", Exercise: "ex6-postgres", Title: "l'URL postgresql://demo:demo@db:5432/demo"},
	{ID: "6.d", Exercise: "ex6-postgres", Title: "stop, start, down et down -v"},
	{ID: "7.a", Exercise: "ex7-debug", Title: "les logs de l'API en continu", Needs: []string{"3.a", "3.c", "5.b"}},
	{ID: "7.b", Exercise: "ex7-debug", Title: "un shell dans le conteneur de l'API"},
	{ID: "7.c", Exercise: "ex7-debug", Title: "docker compose restart api"},
	{ID: "7.d", Exercise: "ex7-debug", Title: "une erreur volontaire, lue dans les logs"},
	{ID: "7.e", Exercise: "ex7-debug", Title: "docker container prune et docker image prune"},
}

// LabQuestionByID is the question id of Lab, or nil.
func LabQuestionByID(id string) *LabQuestion {
	for i := range Lab {
		if Lab[i].ID == id {
			return &Lab[i]
		}
	}
	return nil
}

// Exercises are Lab's exercises, in order.
func Exercises() []string {
	var out []string
	for _, q := range Lab {
		if !slices.Contains(out, q.Exercise) {
			out = append(out, q.Exercise)
		}
	}
	return out
}

// ExerciseNeeds is what an exercise needs from outside its own run: the
// Needs of its questions that are static or belong to another exercise,
// in the lab's order.
func ExerciseNeeds(exercise string) []string {
	var out []string
	for _, q := range Lab {
		if q.Exercise != exercise {
			continue
		}
		for _, n := range q.Needs {
			nq := LabQuestionByID(n)
			if (nq == nil || nq.Static || nq.Exercise != exercise) && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.SortFunc(out, CompareIDs)
	return out
}

// NeedsText says in French what a question depends on, for the reports:
// "dépend de 3.c et 5.b" for the first question of an exercise, "suit
// 4.a" for a later one.
func NeedsText(id string) string {
	q := LabQuestionByID(id)
	if q == nil {
		return ""
	}
	var parts []string
	if len(q.Needs) > 0 {
		parts = append(parts, "dépend de "+frenchList(q.Needs))
	}
	prev := ""
	for _, o := range Lab {
		if o.ID == id {
			break
		}
		if o.Exercise == q.Exercise && !o.Static {
			prev = o.ID
		}
	}
	if prev != "" && !q.Static {
		parts = append(parts, "après "+prev)
	}
	return strings.Join(parts, ", ")
}

// frenchList joins words French style: "a", "a et b", "a, b et c".
func frenchList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " et " + words[len(words)-1]
}

// checkLab verifies the table: known, earlier needs, one exercise per
// block of questions.
func checkLab() error {
	seen := map[string]bool{}
	for i, q := range Lab {
		if seen[q.ID] {
			return fmt.Errorf("question %s deux fois", q.ID)
		}
		if i > 0 && CompareIDs(Lab[i-1].ID, q.ID) >= 0 {
			return fmt.Errorf("question %s hors de l'ordre du TP", q.ID)
		}
		for _, n := range q.Needs {
			if !seen[n] && !(LabQuestionByID(n) != nil && LabQuestionByID(n).Static) {
				return fmt.Errorf("la question %s dépend de %s, qui ne la précède pas", q.ID, n)
			}
		}
		seen[q.ID] = true
	}
	return nil
}

// LabData is Lab as the site reads it (site/data/questions.json): each
// exercise with its questions and what it needs to run, each question with
// its title and needs. TestQuestionsData keeps the site's copy up to date.
func LabData() ([]byte, error) {
	type need struct {
		ID    string `json:"id"`
		Title string `json:"titre"`
	}
	type exercise struct {
		Script    string   `json:"script"`
		Number    string   `json:"numero"`
		Questions []string `json:"questions"`
		Needs     []need   `json:"besoins"`
	}
	type question struct {
		ID       string   `json:"id"`
		Exercise string   `json:"exercice"`
		Title    string   `json:"titre"`
		Static   bool     `json:"statique,omitempty"`
		Needs    []string `json:"besoins,omitempty"`
	}
	var data struct {
		Exercises []exercise `json:"exercices"`
		Questions []question `json:"questions"`
	}
	for _, ex := range Exercises() {
		e := exercise{Script: ex, Number: strings.TrimPrefix(strings.SplitN(ex, "-", 2)[0], "ex")}
		for _, q := range Lab {
			if q.Exercise == ex {
				e.Questions = append(e.Questions, q.ID)
			}
		}
		for _, n := range ExerciseNeeds(ex) {
			e.Needs = append(e.Needs, need{ID: n, Title: LabQuestionByID(n).Title})
		}
		data.Exercises = append(data.Exercises, e)
	}
	for _, q := range Lab {
		data.Questions = append(data.Questions, question(q))
	}
	out, err := json.MarshalIndent(data, "", "  ")
	return append(out, '\n'), err
}
