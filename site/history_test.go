package site_test

// The verification history on the site, without Docker: the site is built
// with a fixture of runs (historyFixture) in place of the data branch, and
// the pages are checked against that fixture: the history page's table and
// chart, the home page's last success and streak, each exercise's last
// runs, each command's time; and with no history, pages that say so.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"tpdocker/internal/history"
	"tpdocker/internal/htmltest"
	"tpdocker/internal/record"
)

// historyFixture copies site/data into a temporary folder, without any
// history it holds, and adds a history of n runs, one a day from 1 October
// 2026 at 03:17 UTC; the runs of failed fail (ex6-postgres at its line 14,
// or ex2-alpine when the run's number is odd). Each run's steps are those
// of the committed records, with times that differ from run to run. It
// returns the folder and the entries.
func historyFixture(t *testing.T, n int, failed map[int]bool) (string, []history.Entry) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("data")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "historique.json"))
	files, _ := filepath.Glob(filepath.Join(recordDir, "*.json"))
	var records []*record.Result
	for _, f := range files {
		r, err := record.Read(recordDir, strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, r)
	}
	var entries []history.Entry
	start := time.Date(2026, 10, 1, 3, 17, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := history.Entry{Date: start.AddDate(0, 0, i-1).Format(time.RFC3339), Status: "pass", Event: "nuit",
			RunURL: fmt.Sprintf("https://example.org/tp-docker/actions/runs/%d", 1000+i),
			Runner: history.Runner{Name: "GitHub Actions " + fmt.Sprint(i%3), OS: "Ubuntu 26.04 LTS", Image: "ubuntu26 20261001." + fmt.Sprint(i)},
			Engine: history.Engine{Engine: "29.1." + fmt.Sprint(i%4), Client: "29.1.2", Compose: "2.40.3", Buildx: "0.38.2", Store: "containerd"},
			Images: []history.Image{
				{Ref: "postgres:16", Kind: "official", Digest: fmt.Sprintf("postgres@sha256:%064x", 0xabc+i), ID: fmt.Sprintf("sha256:%064x", i)},
				{Ref: "python:3.9-slim", Kind: "official", Digest: fmt.Sprintf("python@sha256:%064x", 0xdef+i/7), ID: fmt.Sprintf("sha256:%064x", i/7)},
			},
			Inside: history.Inside{Python: "3.9.25", FastAPI: "0.128.0", Uvicorn: "0.39.0", PostgreSQL: "16.11"},
		}
		for _, r := range records {
			s := history.Script{Script: r.Script, Status: "pass"}
			counts := map[string]int{}
			for _, st := range r.Steps {
				counts[st.Section]++
			}
			block, prev := 0, "\x00"
			for k, st := range r.Steps {
				if st.Section != prev {
					block, prev = block+1, st.Section
				}
				secs := float64((i*7+k*13)%97)/10 + 0.1
				s.Steps = append(s.Steps, history.Step{Cmd: st.Cmd, Block: block, InBlock: counts[st.Section], Seconds: secs})
				s.Seconds += secs
			}
			e.Seconds += s.Seconds
			e.Scripts = append(e.Scripts, s)
		}
		if failed[i] {
			e.Status = "fail"
			script := "ex6-postgres"
			if i%2 == 1 {
				script = "ex2-alpine"
			}
			for k := range e.Scripts {
				if e.Scripts[k].Script == script {
					e.Scripts[k].Status = "fail"
				}
			}
			e.Failures = []history.Failure{{Script: script, File: "testdata/" + script + ".txtar", Line: 14,
				Message: "no match for `PostgreSQL 16` found in stdout", Expected: "stdout 'PostgreSQL 16'", Actual: "PostgreSQL 17.2"}}
		}
		entries = append(entries, e)
	}
	if n > 0 {
		data, err := json.Marshal(history.Site("verifications", entries))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "historique.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, entries
}

// frenchSeconds writes a duration as the site does: "2,4 s", "3 min 05 s".
func frenchSeconds(s float64) string {
	if s < 60 {
		return strings.Replace(fmt.Sprintf("%.1f s", s), ".", ",", 1)
	}
	t := int(s + 0.5)
	return fmt.Sprintf("%d min %02d s", t/60, t%60)
}

var frenchMonths = []string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchDate(rfc string) string {
	d, _ := time.Parse(time.RFC3339, rfc)
	return fmt.Sprintf("%d %s %d à %s UTC", d.Day(), frenchMonths[d.Month()], d.Year(), d.Format("15:04"))
}

func TestSiteHistory(t *testing.T) {
	const n = 30
	failed := map[int]bool{5: true, 17: true, 28: true}
	data, entries := historyFixture(t, n, failed)
	dir := htmltest.Build(t, ".", "", data)
	pages := siteParse(t, dir)
	for name, p := range pages {
		siteCheckPage(t, dir, name, p, "", "/", pages)
	}
	hist := pages["historique/index.html"]
	if hist == nil {
		t.Fatal("page historique/index.html absente")
	}

	// The table: one row per run, newest first, the failed ones marked.
	rows := htmltest.ByClass(hist.Doc, "tr", "pass")
	fails := htmltest.ByClass(hist.Doc, "tr", "fail")
	if len(rows)+len(fails) != n || len(fails) != len(failed) {
		t.Errorf("tableau : %d lignes réussies et %d en échec, attendu %d et %d", len(rows), len(fails), n-len(failed), len(failed))
	}
	for _, tr := range fails {
		text := htmltest.OneSpace(htmltest.Text(tr))
		num := 0
		fmt.Sscan(text, &num)
		e := entries[num-1]
		if !failed[num] || !strings.Contains(text, "✗ échec") || !strings.Contains(text, e.Failures[0].Script+", ligne 14") {
			t.Errorf("ligne en échec %q : attendu l'exécution n° %d en échec, son script et sa ligne", text, num)
		}
	}
	if len(rows) > 0 {
		first := htmltest.OneSpace(htmltest.Text(rows[0]))
		last := entries[n-1]
		for _, want := range []string{fmt.Sprint(n), frenchDate(last.Date), frenchSeconds(last.Seconds), last.Engine.Engine, last.Runner.Image, "16.11"} {
			if !strings.Contains(first, want) {
				t.Errorf("première ligne du tableau %q : %q manque", first, want)
			}
		}
	}
	// The chart: a point per run, the failed ones marked; the longest run
	// is the highest.
	var circles, failCircles []*html.Node
	htmltest.Walk(hist.Doc, func(nd *html.Node) {
		if nd.Data == "circle" {
			circles = append(circles, nd)
			if htmltest.Attr(nd, "class") == "fail" {
				failCircles = append(failCircles, nd)
			}
		}
	})
	if len(circles) != n || len(failCircles) != len(failed) {
		t.Errorf("graphique : %d points dont %d en échec, attendu %d et %d", len(circles), len(failCircles), n, len(failed))
	}
	// The longest run's point is the highest (an SVG y grows downwards);
	// another run within the chart's rounding may share its height.
	longest, top := 0, 1e9
	for i, e := range entries {
		if e.Seconds > entries[longest].Seconds {
			longest = i
		}
	}
	ys := make([]float64, len(circles))
	for i, c := range circles {
		fmt.Sscan(htmltest.Attr(c, "cy"), &ys[i])
		top = min(top, ys[i])
	}
	if longest < len(ys) && ys[longest] != top {
		t.Errorf("le point de l'exécution la plus longue (n° %d) est à y=%v, le plus haut à y=%v", longest+1, ys[longest], top)
	}
	// The scripts' table: each exercise's time in the newest runs.
	scripts := htmltest.ByClass(hist.Doc, "table", "scripts-table")
	if len(scripts) != 1 || !strings.Contains(htmltest.Text(scripts[0]), frenchSeconds(entries[n-1].Scripts[0].Seconds)) {
		t.Errorf("tableau des scripts absent ou sans la durée de %s dans la dernière exécution (%s)", entries[n-1].Scripts[0].Script, frenchSeconds(entries[n-1].Scripts[0].Seconds))
	}

	// Home: the last success and the runs in a row that passed.
	home := htmltest.OneSpace(htmltest.Text(htmltest.ByClass(pages["index.html"].Doc, "p", "history-summary")[0]))
	for _, want := range []string{"Dernière vérification réussie : le " + frenchDate(entries[n-1].Date), "2 vérifications réussies d’affilée"} {
		if !strings.Contains(home, want) {
			t.Errorf("accueil : %q ne dit pas %q", home, want)
		}
	}

	// Each exercise: its script over the last ten runs.
	for _, ex := range siteExercises {
		p := pages["exercices/"+ex+"/index.html"]
		strip := htmltest.ByClass(p.Doc, "ol", "runs-strip")
		if len(strip) != 1 {
			t.Errorf("%s : %d bandeaux des dernières vérifications, attendu 1", ex, len(strip))
			continue
		}
		lis := htmltest.ByClass(strip[0], "li", "pass")
		bad := htmltest.ByClass(strip[0], "li", "fail")
		want := 0
		script := pageScript(t, ex)
		for i := n - history.ScriptRuns + 1; i <= n; i++ {
			for _, s := range entries[i-1].Scripts {
				if s.Script == script && s.Status == "fail" {
					want++
				}
			}
		}
		if len(lis)+len(bad) != history.ScriptRuns || len(bad) != want {
			t.Errorf("%s (%s) : %d vérifications dont %d en échec, attendu %d dont %d", ex, script, len(lis)+len(bad), len(bad), history.ScriptRuns, want)
		}
	}

	// Beside each command, its time in the newest run that passed.
	times := map[string]map[string]bool{} // command → the times it took
	for _, s := range entries[n-1].Scripts {
		for _, st := range s.Steps {
			if times[st.Cmd] == nil {
				times[st.Cmd] = map[string]bool{}
			}
			label := "Durée : "
			if st.InBlock > 1 {
				label = fmt.Sprintf("Durée du bloc de %d commandes : ", st.InBlock)
			}
			times[st.Cmd][label+frenchSeconds(st.Seconds)] = true
		}
	}
	shown := 0
	for _, ex := range siteExercises {
		p := pages["exercices/"+ex+"/index.html"]
		for _, run := range htmltest.ByClass(p.Doc, "div", "run") {
			cmds := htmltest.ByClass(run, "div", "cmd")
			tm := htmltest.ByClass(run, "p", "step-time")
			if len(cmds) != 1 || htmltest.HasClass(run, "unverified") {
				continue
			}
			cmd := strings.TrimPrefix(strings.TrimSpace(htmltest.Text(cmds[0])), "$ ")
			cmd = strings.TrimSpace(strings.TrimSuffix(cmd, "Copier"))
			if len(tm) != 1 {
				t.Errorf("%s : « %s » sans sa durée", ex, cmd)
				continue
			}
			shown++
			if got := htmltest.OneSpace(htmltest.Text(tm[0])); !times[cmd][got] {
				t.Errorf("%s : « %s » affiche %q, attendu l'une de %v", ex, cmd, got, times[cmd])
			}
		}
	}
	if shown < 50 {
		t.Errorf("%d commandes avec leur durée, attendu au moins 50", shown)
	}
}

// TestSiteHistoryEmpty: built without the history (a clone without the
// data branch, a fork), the site says so, and shows no time or status.
func TestSiteHistoryEmpty(t *testing.T) {
	data, _ := historyFixture(t, 0, nil)
	dir := htmltest.Build(t, ".", "", data)
	pages := siteParse(t, dir)
	if got := htmltest.OneSpace(htmltest.Text(htmltest.ByClass(pages["historique/index.html"].Doc, "p", "history-empty")[0])); !strings.Contains(got, "L’historique complet n’est pas dans cette copie du site") {
		t.Errorf("page de l'historique : %q", got)
	}
	// It lists each exercise's last run, from the records the pages show.
	if rows := htmltest.ByClass(pages["historique/index.html"].Doc, "table", "history-table"); len(rows) != 1 || strings.Count(htmltest.Text(rows[0]), "Exercice ") != len(siteExercises) {
		t.Errorf("page de l'historique sans historique : pas de tableau de la dernière vérification des %d exercices", len(siteExercises))
	}
	if got := htmltest.OneSpace(htmltest.Text(htmltest.ByClass(pages["index.html"].Doc, "p", "history-summary")[0])); !strings.Contains(got, "L’historique des vérifications n’est pas disponible") {
		t.Errorf("accueil : %q", got)
	}
	for name, p := range pages {
		if n := len(htmltest.ByClass(p.Doc, "", "step-time")) + len(htmltest.ByClass(p.Doc, "", "runs-strip")); n > 0 {
			t.Errorf("%s : %d durées ou bandeaux sans historique", name, n)
		}
	}
}

// TestSiteHistoryLastFailed: when the newest run failed, the home page
// says so beside the last success, and the failed script's page marks it.
func TestSiteHistoryLastFailed(t *testing.T) {
	data, entries := historyFixture(t, 5, map[int]bool{5: true}) // 5 is odd: ex2-alpine fails
	dir := htmltest.Build(t, ".", "", data)
	pages := siteParse(t, dir)
	home := htmltest.OneSpace(htmltest.Text(htmltest.ByClass(pages["index.html"].Doc, "p", "history-summary")[0]))
	for _, want := range []string{"Dernière vérification réussie : le " + frenchDate(entries[3].Date), "La plus récente, le " + frenchDate(entries[4].Date) + ", a échoué."} {
		if !strings.Contains(home, want) {
			t.Errorf("accueil : %q ne dit pas %q", home, want)
		}
	}
	if strings.Contains(home, "d’affilée") {
		t.Errorf("accueil : %q compte une série alors que la dernière a échoué", home)
	}
	for ex, fails := range map[string]int{"ex2": 1, "ex6": 0} {
		strip := htmltest.ByClass(pages["exercices/"+ex+"/index.html"].Doc, "ol", "runs-strip")
		if len(strip) != 1 || len(htmltest.ByClass(strip[0], "li", "fail")) != fails || len(htmltest.ByClass(strip[0], "li", "pass"))+fails != 5 {
			t.Errorf("%s : bandeau des dernières vérifications, attendu 5 dont %d en échec", ex, fails)
		}
	}
}

// pageScript is the script of an exercise's page (its front matter).
func pageScript(t *testing.T, ex string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("content", "exercices", ex+".md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^script: *(\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("content/exercices/%s.md : pas de paramètre script", ex)
	}
	return string(m[1])
}
