package site_test

// What the site says about its runs, checked against the run records
// (data/runs) and the scripts, without Docker:
//   - a placeholder stands for one object on the whole site: a private
//     address's range for one network (the default bridge keeps its own),
//     a client port for one connection, a command's <placeholder> for the
//     one value a script grabbed under that name;
//   - a sentence the site writes about what a run did (a build's cache, the
//     container that answers, the order of an output) holds in the record
//     of that run;
//   - within one output, what a program wrote before it started another
//     (Compose's warning, before the build it hands to BuildKit) comes
//     first, on the page and in the captures.

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
	"tpdocker/internal/record"
)

// siteRecords reads every record of data/runs, in their scripts' order.
func siteRecords(t *testing.T) []*record.Result {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("data", "runs", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("aucun enregistrement dans data/runs (%v)", err)
	}
	sort.Strings(files)
	var rs []*record.Result
	for _, f := range files {
		r, err := record.Read(filepath.Join("data", "runs"), strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

var (
	recNetworkFlag = regexp.MustCompile(`\s--net(?:work)?[ =]("[^"]*"|\S+)`)
	recAddress     = regexp.MustCompile(`\b172\.(\d+)\.(\d+)\.(\d+)\b`)
	recClientPort  = regexp.MustCompile(`\b172\.\d+\.\d+\.\d+:(\d+) - "`)
	recPlaceholder = regexp.MustCompile(`<([a-z][a-z0-9_]*)>`)
	recGrab        = regexp.MustCompile(`(?m)^grab\s+([a-z][a-z0-9_]*)\s`)
)

// TestPlaceholdersOneObject: every stand-in the records show names one
// object on the whole site.
func TestPlaceholdersOneObject(t *testing.T) {
	records := siteRecords(t)

	// Addresses: the network a step's addresses are on is told by its
	// command (--network, Compose's project, else docker run's default
	// bridge); a network removed (compose down, network rm) and made again
	// is another one. Each range belongs to one network.
	rangeOf := map[string]string{} // 172.x.y -> network
	netRange := map[string]string{}
	ports := map[string]string{} // client port -> script
	addresses := 0
	for _, r := range records {
		epoch := map[string]int{}
		for _, s := range r.Steps {
			text := s.Stdout + "\n" + s.Stderr + "\n" + s.Tty
			net := ""
			switch {
			case !strings.HasPrefix(s.Cmd, "docker "):
			case recNetworkFlag.MatchString(s.Cmd):
				n := "net:" + strings.Trim(recNetworkFlag.FindStringSubmatch(s.Cmd)[1], `"`)
				net = r.Script + "/" + n + "#" + strconv.Itoa(epoch[n])
			case strings.HasPrefix(s.Cmd, "docker compose "):
				net = r.Script + "/compose#" + strconv.Itoa(epoch["compose"])
			case strings.HasPrefix(s.Cmd, "docker run "):
				net = "pont par défaut"
			}
			for _, m := range recAddress.FindAllStringSubmatch(text, -1) {
				addresses++
				rg := "172." + m[1] + "." + m[2]
				if net == "" {
					continue
				}
				if prev, ok := rangeOf[rg]; ok && prev != net {
					t.Errorf("%s, %s : l'adresse %s désigne une machine du réseau %s, alors que sa plage %s.0 est celle du réseau %s", r.Script, s.Cmd, m[0], net, rg, prev)
				}
				rangeOf[rg] = net
				if prev, ok := netRange[net]; ok && prev != rg {
					t.Errorf("%s, %s : le réseau %s a deux plages, %s.0 et %s.0", r.Script, s.Cmd, net, prev, rg)
				}
				netRange[net] = rg
			}
			for _, m := range recClientPort.FindAllStringSubmatch(text, -1) {
				if prev, ok := ports[m[1]]; ok && prev != r.Script {
					t.Errorf("le port client %s désigne une connexion de %s et une autre de %s", m[1], prev, r.Script)
				}
				ports[m[1]] = r.Script
			}
			switch {
			case regexp.MustCompile(`^docker compose (.* )?down\b`).MatchString(s.Cmd):
				epoch["compose"]++
			case strings.HasPrefix(s.Cmd, "docker network rm "):
				epoch["net:"+strings.Fields(s.Cmd)[3]]++
			}
		}
	}
	if addresses == 0 || len(ports) == 0 {
		t.Fatalf("rien à vérifier : %d adresses, %d ports clients", addresses, len(ports))
	}

	// A command's <placeholder> is a value its script grabbed once: two
	// grabs of one name would make it stand for two objects.
	grabs := map[string][]string{} // name -> scripts (one per grab)
	scripts, err := filepath.Glob(filepath.Join("..", "testdata", "ex*.txtar"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("aucun script dans testdata (%v)", err)
	}
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range recGrab.FindAllStringSubmatch(string(b), -1) {
			grabs[m[1]] = append(grabs[m[1]], strings.TrimSuffix(filepath.Base(f), ".txtar"))
		}
	}
	used := 0
	for _, r := range records {
		for _, s := range r.Steps {
			for _, m := range recPlaceholder.FindAllStringSubmatch(s.Cmd, -1) {
				used++
				switch g := grabs[m[1]]; {
				case len(g) == 0:
					t.Errorf("%s, %s : <%s> n'est relevé par aucun script", r.Script, s.Cmd, m[1])
				case len(g) > 1:
					t.Errorf("%s, %s : <%s> désigne %d objets (relevé %d fois : %v)", r.Script, s.Cmd, m[1], len(g), len(g), g)
				case g[0] != r.Script:
					t.Errorf("%s, %s : <%s> est relevé par %s", r.Script, s.Cmd, m[1], g[0])
				}
			}
		}
	}
	if used == 0 {
		t.Fatal("aucune commande avec un <remplaçant> dans les enregistrements")
	}
}

// shownText is an output as the page shows it: the ordered stream when
// the record has one, else the standard output box, then the error box.
func shownText(s record.Step) string {
	if s.Output != "" {
		return s.Output
	}
	return s.Tty + s.Stdout + "\n" + s.Stderr
}

var (
	composeWarning = regexp.MustCompile(`(?m)^.*the attribute .version. is obsolete.*$`)
	buildkitLine   = regexp.MustCompile(`(?m)^#\d+ `)
)

// TestOutputProgramBeforeChild: Compose reads its file, warns about
// version:, then hands the build to BuildKit. Wherever an output holds
// both, on a page or in a capture, the warning comes first.
func TestOutputProgramBeforeChild(t *testing.T) {
	checked := 0
	for _, r := range siteRecords(t) {
		for _, s := range r.Steps {
			text := shownText(s)
			w, b := composeWarning.FindStringIndex(text), buildkitLine.FindStringIndex(text)
			if w == nil || b == nil {
				continue
			}
			checked++
			if w[0] > b[0] {
				t.Errorf("%s, %s : l'avertissement de Compose vient après la construction qu'il a lancée ensuite", r.Script, s.Cmd)
			}
		}
	}
	captures, _ := filepath.Glob(filepath.Join("assets", "captures", "*.svg"))
	for _, f := range captures {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(b), "")), "\u00a0", " ")
		for _, cmd := range strings.Split(text, "\n$ ")[1:] {
			w, bk := composeWarning.FindStringIndex(cmd), buildkitLine.FindStringIndex(cmd)
			if w == nil || bk == nil {
				continue
			}
			checked++
			if w[0] > bk[0] {
				t.Errorf("%s, $ %s : l'avertissement de Compose vient après la construction", f, strings.SplitN(cmd, "\n", 2)[0])
			}
		}
	}
	if checked == 0 {
		t.Fatal("aucune sortie ne montre l'avertissement de Compose et une construction : rien à vérifier")
	}
}

// siteClaim is a sentence the site writes about what a run did, and how
// the records tell whether it holds.
type siteClaim struct {
	page    string         // built page
	where   string         // the element whose text holds it: "" (the page) or a verifie box's title prefix
	claim   *regexp.Regexp // the sentence
	present bool           // the site must say it (a claim the site makes today)
	holds   func(rs map[string]*record.Result) string
}

// buildSteps are the records' builds: docker build and compose up.
func buildSteps(rs map[string]*record.Result) []record.Step {
	var out []record.Step
	for _, r := range rs {
		for _, s := range r.Steps {
			if strings.HasPrefix(s.Cmd, "docker build") || strings.HasPrefix(s.Cmd, "docker compose up") {
				out = append(out, s)
			}
		}
	}
	return out
}

var cachedStep = regexp.MustCompile(`(?m)^(#\d+) CACHED$`)

// cachedSteps names the steps a build's log marks CACHED.
func cachedSteps(log string) []string {
	var names []string
	for _, m := range cachedStep.FindAllStringSubmatch(log, -1) {
		if h := regexp.MustCompile(`(?m)^` + m[1] + ` (\[.*)$`).FindStringSubmatch(log); h != nil {
			names = append(names, h[1])
		} else {
			names = append(names, m[1])
		}
	}
	return names
}

var siteClaims = []siteClaim{
	{
		page: "verification/index.html", claim: regexp.MustCompile(`(?i)toujours complètes|sans cache`),
		holds: func(rs map[string]*record.Result) string {
			for _, s := range buildSteps(rs) {
				if c := cachedSteps(s.Stdout + s.Stderr); len(c) > 0 {
					return s.Cmd + " marque CACHED : " + strings.Join(c, ", ")
				}
			}
			return ""
		},
	},
	{
		page: "exercices/ex8/index.html", where: "Question 8.a, reproductibilité", claim: regexp.MustCompile(`(?i)sans cache`),
		holds: func(rs map[string]*record.Result) string {
			for _, s := range rs["ex8-reflexion"].Steps {
				if c := cachedSteps(s.Stdout + s.Stderr); strings.Contains(s.Cmd, "--no-cache") && len(c) > 0 {
					return s.Cmd + " marque CACHED : " + strings.Join(c, ", ")
				}
			}
			return ""
		},
	},
	{
		page: "exercices/ex8/index.html", where: "Question 8.a, reproductibilité", present: true,
		claim: regexp.MustCompile(`la seconde avec --no-cache \(seule l.étape WORKDIR y reste CACHED\)`),
		holds: func(rs map[string]*record.Result) string {
			for _, s := range rs["ex8-reflexion"].Steps {
				if strings.Contains(s.Cmd, "--no-cache") {
					if c := cachedSteps(s.Stdout + s.Stderr); len(c) != 1 || !strings.HasSuffix(c[0], "WORKDIR /app") {
						return s.Cmd + " marque CACHED : " + strings.Join(c, ", ")
					}
					return ""
				}
			}
			return "aucune construction --no-cache dans ex8"
		},
	},
	{
		page: "verification/index.html", present: true,
		claim: regexp.MustCompile("chaque construction refait ses étapes.*sauf WORKDIR /app, que BuildKit marque CACHED.*même avec --no-cache"),
		holds: func(rs map[string]*record.Result) string {
			noCache := false
			for _, s := range buildSteps(rs) {
				for _, c := range cachedSteps(s.Stdout + s.Stderr) {
					if !strings.HasSuffix(c, "WORKDIR /app") {
						return s.Cmd + " marque CACHED une autre étape que WORKDIR : " + c
					}
					if strings.Contains(s.Cmd, "--no-cache") {
						noCache = true
					}
				}
			}
			if !noCache {
				return "aucune construction --no-cache ne marque WORKDIR CACHED"
			}
			return ""
		},
	},
	{
		page: "exercices/ex4/index.html", where: "Question 4.a", claim: regexp.MustCompile(`(?i)le même conteneur répond`),
		holds: func(rs map[string]*record.Result) string {
			if n := len(blockRuns(rs["ex8-reflexion"], "Question 4.a")); n != 1 {
				return "les commandes de la vérification lancent " + strconv.Itoa(n) + " conteneurs"
			}
			return ""
		},
	},
	{
		page: "exercices/ex4/index.html", where: "Question 4.a", present: true,
		claim: regexp.MustCompile(`Un second conteneur de la même image, publié avec -p 8001:8000, répond sur le port 8001 de l.hôte, pendant que le premier répond sur 8000`),
		holds: func(rs map[string]*record.Result) string {
			runs := blockRuns(rs["ex8-reflexion"], "Question 4.a")
			if len(runs) != 2 || !strings.Contains(runs[0], "-p 8000:8000 simple-api") || !strings.Contains(runs[1], "-p 8001:8000 simple-api") {
				return "la vérification ne lance pas deux conteneurs de simple-api, sur 8000 puis 8001 : " + strings.Join(runs, " ; ")
			}
			return ""
		},
	},
	{
		page: "verification/index.html", present: true,
		claim: regexp.MustCompile(`l.avertissement de Compose sur version\) reste avant elle`),
		holds: func(rs map[string]*record.Result) string {
			for _, r := range rs {
				for _, s := range r.Steps {
					text := shownText(s)
					if w, b := composeWarning.FindStringIndex(text), buildkitLine.FindStringIndex(text); w != nil && b != nil && w[0] > b[0] {
						return r.Script + ", " + s.Cmd + " : l'avertissement vient après la construction"
					}
				}
			}
			return ""
		},
	},
}

// blockRuns are the docker run commands of a script's block.
func blockRuns(r *record.Result, bloc string) []string {
	var runs []string
	if r == nil {
		return nil
	}
	for _, s := range r.Steps {
		if strings.HasPrefix(s.Section, bloc) && strings.HasPrefix(s.Cmd, "docker run ") {
			runs = append(runs, s.Cmd)
		}
	}
	return runs
}

// TestSiteClaimsAgainstRecords: each sentence of siteClaims the site
// writes holds in the records; the ones the site makes today are there.
func TestSiteClaimsAgainstRecords(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	rs := map[string]*record.Result{}
	for _, r := range siteRecords(t) {
		rs[r.Script] = r
	}
	for _, c := range siteClaims {
		p, ok := pages[c.page]
		if !ok {
			t.Errorf("%s absente", c.page)
			continue
		}
		var texts []string
		if c.where == "" {
			texts = append(texts, readerNodeText(p.Doc))
		} else {
			for _, box := range htmltest.ByClass(p.Doc, "aside", "verified") {
				title := htmltest.ByClass(box, "p", "verified-title")
				if len(title) > 0 && strings.Contains(readerNodeText(title[0]), c.where) {
					texts = append(texts, readerNodeText(box))
				}
			}
		}
		found := false
		for _, text := range texts {
			if m := c.claim.FindString(text); m != "" {
				found = true
				if why := c.holds(rs); why != "" {
					t.Errorf("%s%s : « %s », mais %s", path.Clean(c.page), map[bool]string{true: ", " + c.where, false: ""}[c.where != ""], readerShort(m), why)
				}
			}
		}
		if c.present && !found {
			t.Errorf("%s : la phrase %q n'y est plus : le test ne vérifie plus rien", c.page, c.claim)
		}
	}
}
