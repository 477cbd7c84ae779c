package tpdocker_test

// The official images, proven as far as possible without a registry.
//
// Where no registry answers, the scripts run on stand-in images, and the
// assertions only an official image can satisfy ([official:…]) are skipped.
// TestOfficialImages replays, without Docker, every assertion that a run on
// the official images would check (unconditional ones and [official:…]
// ones; [standin:…] ones are left out) against what those images are known
// to print:
//
//   - the samples of site/data/notes.yaml ("official" under each stand-in
//     note): whole outputs of a step, as the official image gives them, with
//     where each comes from;
//   - the output lines the author quotes in the report (authorOutputs),
//     which must agree with those samples, or, for a step without one, are
//     the only part of its output known: an assertion is then proven if it
//     matches them, and fails if a negation (or -count) contradicts them.
//
// Each script is read as testscript reads it (quotes, conditions, "!",
// background commands and wait, grab and ${NAME@R}). The test fails if an
// assertion rejects a sample, if an [official:…] assertion has nothing to
// be replayed on, if a stand-in's note would show beside an official
// output, or if an author's claim or quoted line disagrees with a sample. Its
// sub-tests change a sample, or put back an assertion this replay caught,
// and expect a failure: the replay cannot pass whatever the samples say.
//
//	go test -short -run TestOfficialImages -v    with the coverage

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/record"
	"tpdocker/internal/scriptcmd"
	"tpdocker/internal/scriptlang"
)

// authorOutput is a line of output that the author quotes in the report.
type authorOutput struct {
	page        string // site/content/exercices/<page>.md, where the quote is
	script, cmd string // the step that prints it
	nth         int
	quote       string // the author's text, as the page has it after a backquote
	line        string // the whole line of output it comes from
}

// authorOutputs are the outputs of the official images that the report
// quotes. Outputs of the engine or the machine are not listed (the kernel
// of 2.d, "Exited (0)"), nor the first-pull messages of 2.b, which a run
// never shows since the suite pulls the images before it starts.
var authorOutputs = []authorOutput{
	{"ex6", "ex6-postgres", "docker compose exec db psql -U demo -d demo", 1,
		"PostgreSQL 16.11 (Debian 16.11-1.pgdg13+1)",
		" PostgreSQL 16.11 (Debian 16.11-1.pgdg13+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 14.2.0-19) 14.2.0, 64-bit"},
	{"ex6", "ex6-postgres", "docker compose exec db psql -U demo -d demo", 1, "demo", " demo"},
	{"ex7", "ex7-debug", "docker compose exec api sh", 1, "Python 3.9.25", "Python 3.9.25"},
	// Compose prefixes each line of the logs with the service's container.
	{"ex7", "ex7-debug", "docker compose logs api", 1,
		`ERROR:    Error loading ASGI app. Attribute "app" not found in module "app".`,
		`api-1  | ERROR:    Error loading ASGI app. Attribute "app" not found in module "app".`},
}

// stepKey names a step of a script: its command as the record writes it,
// and which occurrence of that command.
type stepKey struct {
	script, cmd string
	nth         int
}

func (k stepKey) String() string {
	return fmt.Sprintf("%s, « %s » (occurrence %d)", k.script, k.cmd, k.nth)
}

// officialReplay is what a replay found.
type officialReplay struct {
	failures []string // each makes the test fail
	proven   []string // assertions that held on an official output
	unproven []string // assertions that apply on the official images but were not replayed, and why
	standin  int      // assertions only for stand-ins, left out
	steps    map[stepKey]bool
	sampled  map[stepKey]bool
}

func (r *officialReplay) failf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// replayOfficial replays the scripts (name → script text, without the
// files of its archive) on the samples of the notes and on the author's
// quoted outputs.
func replayOfficial(scripts map[string]string, notes []record.Note, authors []authorOutput, pages map[string]string) *officialReplay {
	r := &officialReplay{steps: map[stepKey]bool{}, sampled: map[stepKey]bool{}}
	samples := map[stepKey]record.OfficialSample{}
	for _, n := range notes {
		if len(n.Official) > 0 && n.Kind != "remplacement" {
			r.failf("site/data/notes.yaml, note %q : un échantillon officiel sous une note qui n'est pas celle d'une image de remplacement", n.Match)
		}
		for _, s := range n.Official {
			if s.Nth == 0 {
				s.Nth = 1
			}
			k := stepKey{s.Script, s.Cmd, s.Nth}
			if strings.TrimSpace(s.Source) == "" {
				r.failf("échantillon officiel de %s : sa provenance (source) manque", k)
			}
			if s.Tty == "" && s.Stdout == "" && s.Stderr == "" {
				r.failf("échantillon officiel de %s : aucune sortie (tty, stdout ou stderr)", k)
			}
			if prev, ok := samples[k]; ok && prev != s {
				r.failf("deux échantillons officiels différents pour %s", k)
			}
			samples[k] = s
		}
	}
	// A stand-in's note must never show beside an official output.
	for k, s := range samples {
		for _, n := range notes {
			if n.Kind != "remplacement" {
				continue
			}
			if re, err := regexp.Compile(n.Match); err == nil && re.MatchString(s.Tty+"\n"+s.Stdout+"\n"+s.Stderr) {
				r.failf("l'échantillon officiel de %s montre la note d'image de remplacement %q", k, n.Match)
			}
		}
	}
	// The author's quoted outputs: on the page, and in the official
	// output of their step.
	fragments := map[stepKey][]string{}
	for _, a := range authors {
		k := stepKey{a.script, a.cmd, a.nth}
		if !strings.Contains(a.line, a.quote) {
			r.failf("sortie citée par l'auteur (%s) : « %s » n'est pas dans la ligne « %s »", k, a.quote, a.line)
		}
		if !strings.Contains(pages[a.page], "`"+a.quote) {
			r.failf("site/content/exercices/%s.md ne cite pas « %s » : la liste des sorties citées par l'auteur (official_test.go) n'est plus celle du rapport", a.page, a.quote)
		}
		if s, ok := samples[k]; ok {
			if !hasLine(s.Tty+"\n"+s.Stdout+"\n"+s.Stderr, a.line) {
				r.failf("l'échantillon officiel de %s n'a pas la ligne que cite l'auteur : « %s »", k, a.line)
			}
			continue
		}
		fragments[k] = append(fragments[k], a.line)
	}

	for _, name := range slices.Sorted(maps.Keys(scripts)) {
		replayScript(r, name, scripts[name], samples, fragments)
	}
	for k := range samples {
		if !r.steps[k] {
			r.failf("échantillon officiel pour %s : aucun script n'a cette étape", k)
		}
	}
	for k := range fragments {
		if !r.steps[k] {
			r.failf("sortie citée par l'auteur pour %s : aucun script n'a cette étape", k)
		}
	}
	return r
}

// replayStep is the step whose output the next assertions read.
type replayStep struct {
	key      stepKey
	terminal bool
	sample   *record.OfficialSample
	lines    []string // the author's quoted lines, where no sample exists
}

// output is the step's stdout (the window, for a session) or stderr, as the
// official image gives it; whole says whether that is the whole output or
// only the lines the author quotes.
func (s *replayStep) output(stream string) (text string, whole bool) {
	if s.sample != nil {
		if stream == "stderr" {
			return s.sample.Stderr, true
		}
		if s.terminal {
			return s.sample.Tty, true
		}
		return s.sample.Stdout, true
	}
	if stream == "stderr" && s.terminal {
		return "", false // a session's window is its stdout
	}
	return strings.Join(s.lines, "\n") + "\n", false
}

// replayScript replays one script, line by line, as testscript runs it on
// the official images.
func replayScript(r *officialReplay, name, script string, samples map[stepKey]record.OfficialSample, fragments map[stepKey][]string) {
	env := map[string]string{}   // what grab set, from official outputs
	unknown := map[string]bool{} // what grab set from an output not known here
	background := map[string]*replayStep{}
	seen := map[string]int{}
	var cur *replayStep // nil: an output not known here
	newStep := func(cmd string, terminal bool) *replayStep {
		seen[cmd]++
		k := stepKey{name, cmd, seen[cmd]}
		r.steps[k] = true
		s := &replayStep{key: k, terminal: terminal}
		if sm, ok := samples[k]; ok {
			s.sample = &sm
			r.sampled[k] = true
		}
		s.lines = fragments[k]
		return s
	}
	for _, l := range scriptlang.ParseScript(script).Lines {
		line := l.Text
		where := fmt.Sprintf("testdata/%s.txtar:%d", name, l.N)
		if line == "" || l.Comment {
			continue
		}
		// The line as testscript runs it: $NAME expanded from what grab
		// took; a name taken from an output not known here is missing.
		var missing []string
		c := scriptlang.ParseCommand(scriptlang.Words(line, func(name string) string {
			if unknown[name] {
				missing = append(missing, name)
			}
			return env[name]
		}))
		applies, official, known := true, false, true
		for _, cond := range c.Conds {
			v, isOfficial, ok := officialCondition(cond)
			official = official || isOfficial
			known = known && ok
			applies = applies && (v || !ok)
		}
		args, neg := c.Args, c.Neg
		if len(args) == 0 {
			continue
		}
		if known && !applies {
			if args[0] == "stdout" || args[0] == "stderr" {
				r.standin++
			}
			continue // a line for the stand-ins only
		}
		// A step's command is written as the record writes it, $NAME
		// as written in the script.
		switch args[0] {
		case "exec":
			if len(l.Args) < 2 || !known {
				cur = nil // a command that may or may not run: what follows is not known
				continue
			}
			if l.Background {
				background[l.BgName] = newStep(record.DisplayArgs(l.Args[1:]), false)
				cur = nil // testscript empties stdout and stderr
				continue
			}
			cur = newStep(record.DisplayArgs(l.Args[1:]), false)
		case "terminal":
			if len(l.Args) < 3 || !known {
				cur = nil
				continue
			}
			cur = newStep(record.DisplayArgs(l.Args[2:]), true)
		case "wait":
			cur = nil
			if len(args) == 2 {
				cur = background[args[1]]
			}
		case "sentinel":
			cur = nil // the harness's own message
		case "grab":
			if len(args) != 3 {
				continue
			}
			delete(env, args[1])
			unknown[args[1]] = true
			if cur == nil || len(missing) > 0 {
				continue
			}
			out, whole := cur.output("stdout")
			if !whole {
				continue
			}
			re, err := regexp.Compile(`(?m)` + args[2])
			if err != nil {
				r.failf("%s : « %s » : %v", where, line, err)
				continue
			}
			if m := re.FindStringSubmatch(out); len(m) >= 2 {
				env[args[1]] = m[1]
				delete(unknown, args[1])
			} else if known {
				r.failf("%s : « %s » ne trouve rien dans l'échantillon officiel de %s", where, line, cur.key)
			}
		case "stdout", "stderr":
			replayCheck(r, where, line, args, neg, official, known, missing, cur)
		}
	}
}

// replayCheck replays one stdout or stderr assertion on the official output
// of the step before it.
func replayCheck(r *officialReplay, where, line string, args []string, neg, official, known bool, missing []string, cur *replayStep) {
	notReplayed := func(why string) {
		r.unproven = append(r.unproven, fmt.Sprintf("%s : %s (%s)", where, line, why))
		if official {
			r.failf("%s : « %s » vérifie l'image officielle, mais ne peut être rejoué : %s", where, line, why)
		}
	}
	stream, rest := args[0], args[1:]
	count := 0
	if len(rest) > 0 && strings.HasPrefix(rest[0], "-count=") {
		n, err := strconv.Atoi(strings.TrimPrefix(rest[0], "-count="))
		if err != nil || n < 1 || neg {
			r.failf("%s : « %s » : -count= invalide", where, line)
			return
		}
		count, rest = n, rest[1:]
	}
	if len(rest) != 1 {
		r.failf("%s : « %s » : une seule expression attendue", where, line)
		return
	}
	switch {
	case !known:
		notReplayed("sa condition dépend du moteur ou de la machine")
		return
	case len(missing) > 0:
		notReplayed("$" + strings.Join(missing, ", $") + " vient d'une sortie sans échantillon officiel")
		return
	case cur == nil:
		notReplayed("la sortie qu'elle lit n'est pas celle d'une étape du rapport")
		return
	}
	re, err := regexp.Compile(`(?m)` + rest[0])
	if err != nil {
		r.failf("%s : « %s » : %v", where, line, err)
		return
	}
	out, whole := cur.output(stream)
	if !whole && len(cur.lines) == 0 {
		notReplayed("aucun échantillon officiel pour " + cur.key.String())
		return
	}
	n := len(re.FindAllString(out, -1))
	if whole {
		switch {
		case neg && n > 0:
			r.failf("%s : « %s » rejette l'échantillon officiel de %s : %q", where, line, cur.key, re.FindString(out))
		case !neg && count > 0 && n != count:
			r.failf("%s : « %s » : %d correspondance(s) dans l'échantillon officiel de %s", where, line, n, cur.key)
		case !neg && n == 0:
			r.failf("%s : « %s » ne trouve rien dans l'échantillon officiel de %s", where, line, cur.key)
		default:
			r.proven = append(r.proven, fmt.Sprintf("%s : %s (échantillon officiel de %s)", where, line, cur.key))
		}
		return
	}
	// Only the lines the author quotes are known: a match proves a plain
	// assertion and refutes a negation; a miss says nothing.
	switch {
	case neg && n > 0:
		r.failf("%s : « %s » rejette la ligne que cite l'auteur pour %s : %q", where, line, cur.key, re.FindString(out))
	case count > 0 && n > count:
		r.failf("%s : « %s » : déjà %d correspondances dans les lignes que cite l'auteur pour %s", where, line, n, cur.key)
	case !neg && count == 0 && n > 0:
		r.proven = append(r.proven, fmt.Sprintf("%s : %s (ligne citée par l'auteur pour %s)", where, line, cur.key))
	default:
		notReplayed("les lignes que cite l'auteur pour " + cur.key.String() + " n'en disent pas assez")
	}
}

// officialCondition answers a script's condition for a run on the official
// images: value, whether it names an image's kind, and whether it is known
// here at all (the engine's conditions are not).
func officialCondition(cond scriptlang.Cond) (value, official, known bool) {
	want := !cond.Not
	kind, _, ok := strings.Cut(cond.Name, ":")
	switch {
	case cond.Name == scriptcmd.AuthorCond:
		return want, false, true // the official outputs are the author's run's
	case ok && kind == "official":
		return want, true, true
	case ok && kind == "standin":
		return !want, false, true
	}
	return false, false, false
}

// hasLine tells whether text has line as one of its lines.
func hasLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}

// officialInputs reads the scripts, the notes and the exercises' pages.
func officialInputs(t *testing.T) (map[string]string, []record.Note, map[string]string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("aucun script dans testdata/")
	}
	scripts := map[string]string{}
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scripts[strings.TrimSuffix(filepath.Base(f), ".txtar")] = string(a.Comment)
	}
	pages := map[string]string{}
	mds, _ := filepath.Glob(filepath.Join("site", "content", "exercices", "ex*.md"))
	for _, f := range mds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[strings.TrimSuffix(filepath.Base(f), ".md")] = string(data)
	}
	return scripts, readNotes(t), pages
}

func TestOfficialImages(t *testing.T) {
	skipUnderUpdate(t)
	scripts, notes, pages := officialInputs(t)
	r := replayOfficial(scripts, notes, authorOutputs, pages)
	for _, f := range r.failures {
		t.Error(f)
	}

	// The author's claims (site_test.go) hold on the official outputs.
	samples := map[stepKey]record.OfficialSample{}
	for _, n := range notes {
		for _, s := range n.Official {
			if s.Nth == 0 {
				s.Nth = 1
			}
			samples[stepKey{s.Script, s.Cmd, s.Nth}] = s
		}
	}
	claims := 0
	for _, c := range authorClaims {
		s, ok := samples[stepKey{c.script, c.cmd, 1}]
		if !ok {
			t.Logf("affirmation de l'auteur sans échantillon officiel (elle tient au moteur ou à la machine) : %s, « %s »", c.script, c.says)
			continue
		}
		claims++
		if !regexp.MustCompile(c.shows).MatchString(s.Tty + "\n" + s.Stdout + "\n" + s.Stderr) {
			t.Errorf("%s, %q : l'auteur écrit « %s », l'échantillon officiel ne le montre pas (%s)", c.script, c.cmd, c.says, c.shows)
		}
	}

	// Coverage.
	var sampled []string
	for k := range r.sampled {
		sampled = append(sampled, k.String())
	}
	slices.Sort(sampled)
	t.Logf("%d étapes dans les scripts, %d avec un échantillon officiel :\n  %s", len(r.steps), len(sampled), strings.Join(sampled, "\n  "))
	t.Logf("%d assertions rejouées sur une sortie officielle :\n  %s", len(r.proven), strings.Join(r.proven, "\n  "))
	t.Logf("%d assertions des images officielles non rejouées (leur sortie n'est connue qu'en exécutant) :\n  %s", len(r.unproven), strings.Join(r.unproven, "\n  "))
	t.Logf("%d assertions propres aux images de remplacement laissées de côté ; %d affirmations de l'auteur vérifiées sur les échantillons", r.standin, claims)
	// Steps whose recorded (stand-in) output shows a stand-in's note, but
	// which have no official sample: their unconditional assertions ran
	// only on the stand-in.
	for _, name := range slices.Sorted(maps.Keys(scripts)) {
		rec, err := record.Read(recordDir, name)
		if err != nil {
			continue
		}
		seen := map[string]int{}
		for _, s := range rec.Steps {
			seen[s.Cmd]++
			k := stepKey{name, s.Cmd, seen[s.Cmd]}
			if r.sampled[k] {
				continue
			}
			for _, n := range notes {
				if re, err := regexp.Compile(n.Match); err == nil && n.Kind == "remplacement" && re.MatchString(s.Tty+"\n"+s.Stdout+"\n"+s.Stderr) {
					t.Logf("sans échantillon officiel, bien que sa sortie enregistrée montre la note %q : %s", n.Match, k)
				}
			}
		}
	}

	t.Run("échantillon-modifié", func(t *testing.T) {
		// Each change makes an official output what an official image
		// would not print: the replay must name the assertion that rejects it.
		for _, m := range []struct{ script, old, new, rejectedBy string }{
			{"ex6-postgres", "(Debian 16.11-1.pgdg13+1) on", "(Ubuntu 16.11-1.pgdg24.04+1) on", `PostgreSQL 16\.\d+ \(Debian`},
			{"ex6-postgres", "psql (16.11 (Debian", "psql (17.6 (Debian", `psql \(16\.\d+ \(Debian`},
			{"ex3-build", "#8 1.204 Collecting fastapi\n", "#8 1.100 Looking in links: /wheels\n#8 1.204 Collecting fastapi\n", `! stderr 'Looking in links'`},
			{"ex3-build", "Downloading fastapi-", "Using cached fastapi-", `Downloading fastapi-`},
			{"ex3-build", "#8 [4/4] RUN", "#8 [4/5] RUN", `\[\d+/[^4]\]`},
			{"ex7-debug", "Python 3.9.25", "Python 3.9.2", `Python 3\.9\.25`},
			{"ex8-reflexion", "3.9.25 ", "3.9.2 ", `^3\.9\.25 `},
		} {
			changed := 0
			mutated := make([]record.Note, len(notes))
			for i, n := range notes {
				mutated[i] = n
				mutated[i].Official = nil
				for _, s := range n.Official {
					if s.Script == m.script && s.Nth <= 1 && strings.Contains(s.Tty+s.Stdout+s.Stderr, m.old) {
						s.Tty = strings.Replace(s.Tty, m.old, m.new, 1)
						s.Stdout = strings.Replace(s.Stdout, m.old, m.new, 1)
						s.Stderr = strings.Replace(s.Stderr, m.old, m.new, 1)
						changed++
					}
					mutated[i].Official = append(mutated[i].Official, s)
				}
			}
			if changed == 0 {
				t.Errorf("%s : « %s » n'est dans aucun échantillon officiel", m.script, m.old)
				continue
			}
			got := replayOfficial(scripts, mutated, authorOutputs, pages)
			if !anyContains(got.failures, m.rejectedBy) {
				t.Errorf("%s : « %s » changé en « %s », aucune assertion %s n'a échoué ; échecs : %q", m.script, m.old, m.new, m.rejectedBy, got.failures)
			}
		}
	})

	t.Run("ancienne-assertion-ex6", func(t *testing.T) {
		// The assertion ex6 had before this replay: true of the stand-in's
		// "PostgreSQL 16.14 on x86_64", false of the official image.
		const fixed, old = `stdout 'PostgreSQL 16\.\d+ (\([^)]*\) )?on x86_64'`, `stdout 'PostgreSQL 16\.\d+ on x86_64'`
		if !strings.Contains(scripts["ex6-postgres"], fixed) {
			t.Fatalf("ex6-postgres n'a plus l'assertion %s", fixed)
		}
		changed := maps.Clone(scripts)
		changed["ex6-postgres"] = strings.Replace(scripts["ex6-postgres"], fixed, old, 1)
		got := replayOfficial(changed, notes, authorOutputs, pages)
		if !anyContains(got.failures, old) {
			t.Errorf("l'ancienne assertion %s passe sur l'échantillon officiel ; échecs : %q", old, got.failures)
		}
	})

	t.Run("sans-échantillons", func(t *testing.T) {
		// Without the samples and the author's lines, every [official:…]
		// assertion is reported: none may go unreplayed.
		bare := make([]record.Note, len(notes))
		for i, n := range notes {
			bare[i] = n
			bare[i].Official = nil
		}
		got := replayOfficial(scripts, bare, nil, pages)
		want := 0
		for _, s := range scripts {
			want += strings.Count(s, "[official:")
		}
		if n := countContains(got.failures, "[official:"); want == 0 || n != want {
			t.Errorf("%d assertions [official:…] dans les scripts, %d signalées sans échantillon : %q", want, n, got.failures)
		}
	})
}

func anyContains(list []string, s string) bool { return countContains(list, s) > 0 }

func countContains(list []string, s string) int {
	n := 0
	for _, l := range list {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}
