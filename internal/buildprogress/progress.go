// Package buildprogress reads the progress that BuildKit prints for a build in
// its plain form ("--progress=plain", what a client writes when its output
// is not a terminal), as "docker build" and "docker compose build" print it
// on their standard error:
//
//	#0 building with "default" instance using docker driver
//
//	#1 [internal] load build definition from Dockerfile
//	#1 transferring dockerfile: 408B done
//	#1 DONE 0.0s
//	...
//	#8 [4/4] RUN pip install fastapi uvicorn
//	#8 1.169 Collecting fastapi
//	#8 DONE 4.2s
//
// Steps that run at the same time (loading the Dockerfile, the base image's
// metadata, the build context) are printed in the order their events
// arrive, and numbered that way, which changes from one build to the next.
// Canonical gives one order for the same build, and Terminal draws what a
// terminal shows of it once it has finished.
package buildprogress

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	vertexLine = regexp.MustCompile(`^#(\d+) (.*)$`)
	logLine    = regexp.MustCompile(`^\d+(\.\d+)? `) // "#8 1.169 Collecting…": a step's own output
	doneLine   = regexp.MustCompile(`^DONE (\d+\.\d+s)$`)
	subDone    = regexp.MustCompile(`^(.*?)(?: (\d+\.\d+s))? done$`)
	subSize    = regexp.MustCompile(`:?(?: [0-9.]+[kMG]?B)?$`) // "transferring context: 2B", or "transferring context:" before the size is known
)

// vertex is one step of the build, with the lines printed for it.
type vertex struct {
	num   string
	name  string
	lines []string // without the "#N " prefix
	first int      // order of appearance
}

// stepRanks places the steps that are not the Dockerfile's own.
var stepRanks = []struct {
	prefix string
	rank   int
}{
	{"load local bake definitions", 0},
	{"load build definition", 100},
	{"load metadata for", 200},
	{"load .dockerignore", 300},
	{"load build context", 450},
	{"exporting to image", 900},
	{"resolving provenance", 950},
}

// rank orders steps the way a build goes: its definition, the base image,
// the context, the Dockerfile's steps in their order, then the export.
func rank(name string) int {
	n := name
	if i := strings.Index(n, "] "); strings.HasPrefix(n, "[") && i > 0 {
		tag := n[1:i]
		if f := strings.Fields(tag); len(f) == 2 { // compose: "[api 2/4]", "[api internal]"
			tag = f[1]
		}
		var k, total int
		if n, _ := fmt.Sscanf(tag, "%d/%d", &k, &total); n == 2 && k > 0 {
			if k == 1 {
				return 400
			}
			return 500 + k
		}
		if tag == "auth" {
			return 250
		}
		n = n[i+2:]
	}
	for _, st := range stepRanks {
		if strings.HasPrefix(n, st.prefix) {
			return st.rank
		}
	}
	return 800
}

// parse splits plain progress into the lines before the steps, the steps
// (#0 included) and the lines after them.
func parse(s string) (before []string, vs []*vertex, after []string, ok bool) {
	lines := strings.Split(s, "\n")
	start, end := -1, -1
	for i, l := range lines {
		if vertexLine.MatchString(l) {
			if start < 0 {
				start = i
			}
			end = i
		}
	}
	if start < 0 {
		return nil, nil, nil, false
	}
	byNum := map[string]*vertex{}
	for i := start; i <= end; i++ {
		m := vertexLine.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.TrimSpace(lines[i]) != "" {
				return nil, nil, nil, false // not plain progress alone
			}
			continue
		}
		v := byNum[m[1]]
		if v == nil {
			v = &vertex{num: m[1], name: m[2], first: len(vs)}
			byNum[m[1]] = v
			vs = append(vs, v)
			continue
		}
		if m[2] != v.name { // the name is printed again when the step resumes
			v.lines = append(v.lines, m[2])
		}
	}
	for _, v := range vs {
		v.lines = settle(v.lines)
	}
	after = lines[end+1:]
	for len(after) > 0 && after[0] == "" {
		after = after[1:]
	}
	return lines[:start], vs, after, true
}

// settle keeps one line for each sub-step of a step, in its final state,
// where it first appeared, without its duration: whether BuildKit printed
// "exporting layers" before "exporting layers 0.3s done", "transferring
// context:" before "transferring context: 2B done", and whether it timed a
// sub-step at all, depends on how fast it went. For the same reason a step
// may be printed DONE before a last sub-step, then DONE again: only the
// last DONE is kept.
func settle(lines []string) []string {
	const dropped = "\x00"
	var out []string
	at := map[string]int{}
	lastDone := -1
	for _, l := range lines {
		if doneLine.MatchString(l) {
			if lastDone >= 0 {
				out[lastDone] = dropped
			}
			lastDone = len(out)
			out = append(out, l)
			continue
		}
		if logLine.MatchString(l) || l == "CACHED" {
			out = append(out, l)
			continue
		}
		name, done := l, false
		if m := subDone.FindStringSubmatch(l); m != nil {
			name, done = m[1], true
		}
		line := name
		if done {
			line += " done"
		}
		key := subSize.ReplaceAllString(name, "")
		if i, seen := at[key]; seen {
			out[i] = line
			continue
		}
		at[key] = len(out)
		out = append(out, line)
	}
	kept := out[:0]
	for _, l := range out {
		if l != dropped {
			kept = append(kept, l)
		}
	}
	return kept
}

// Canonical returns s with its build steps in a fixed order and numbered
// from #1 in that order (#0, the builder's line, stays first); lines before
// and after the steps are kept. Text that holds no plain progress is
// returned as it is.
func Canonical(s string) string {
	before, vs, after, ok := parse(s)
	if !ok {
		return s
	}
	sort.SliceStable(vs, func(i, j int) bool {
		ri, rj := rank(vs[i].name), rank(vs[j].name)
		if vs[i].num == "0" || vs[j].num == "0" {
			return vs[i].num == "0" && vs[j].num != "0"
		}
		if ri != rj {
			return ri < rj
		}
		return vs[i].first < vs[j].first
	})
	out := append([]string{}, before...)
	n := 0
	for i, v := range vs {
		num := v.num
		if num != "0" {
			n++
			num = fmt.Sprint(n)
		}
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, "#"+num+" "+v.name)
		for _, l := range v.lines {
			out = append(out, "#"+num+" "+l)
		}
	}
	if len(after) > 0 {
		out = append(append(out, ""), after...)
	}
	return strings.Join(out, "\n")
}

// Terminal draws what a terminal of the given width shows once the build
// in s has finished: BuildKit's condensed view, one line per step and per
// sub-step with its duration, without the steps' own output.
//
//	[+] Building 5.1s (9/9) FINISHED                            docker:default
//	 => [internal] load build definition from Dockerfile                  0.0s
//	 => => transferring dockerfile: 408B                                  0.0s
//
// The total is the sum of the steps' durations. ok is false when s holds no
// plain progress.
func Terminal(s string, width int) (view string, ok bool) {
	_, vs, _, ok := parse(Canonical(s))
	if !ok {
		return "", false
	}
	type row struct{ text, dur string }
	var rows []row
	total, steps, done := 0.0, 0, 0
	driver := ""
	for _, v := range vs {
		if v.num == "0" {
			if m := regexp.MustCompile(`^building with "([^"]+)" instance using (\S+) driver`).FindStringSubmatch(v.name); m != nil {
				driver = m[2] + ":" + m[1]
			}
			continue
		}
		steps++
		head := row{text: " => " + v.name, dur: "0.0s"}
		var subs []row
		index := map[string]int{}
		for _, l := range v.lines {
			switch {
			case doneLine.MatchString(l):
				head.dur = doneLine.FindStringSubmatch(l)[1]
				var d float64
				fmt.Sscanf(strings.TrimSuffix(head.dur, "s"), "%g", &d)
				total += d
				done++
			case l == "CACHED":
				head.text = " => CACHED " + v.name
				done++
			case logLine.MatchString(l):
				// the step's own output: not shown once it has finished
			default:
				name, dur := l, "0.0s"
				if m := subDone.FindStringSubmatch(l); m != nil {
					name = m[1]
					if m[2] != "" {
						dur = m[2]
					}
				}
				if i, seen := index[name]; seen {
					subs[i].dur = dur
					continue
				}
				index[name] = len(subs)
				subs = append(subs, row{text: " => => " + name, dur: dur})
			}
		}
		rows = append(rows, head)
		rows = append(rows, subs...)
	}
	state := "FINISHED"
	if done < steps {
		state = "ERROR"
	}
	var b strings.Builder
	b.WriteString(pad(fmt.Sprintf("[+] Building %.1fs (%d/%d) %s", total, done, steps, state), driver, width))
	for _, r := range rows {
		b.WriteString("\n" + pad(r.text, r.dur, width))
	}
	return b.String(), true
}

// pad puts right at the end of a line of the given width, shortening left
// with "..." when both do not fit.
func pad(left, right string, width int) string {
	room := width - len([]rune(right)) - 1
	if r := []rune(left); len(r) > room {
		left = string(r[:room-3]) + "..."
	}
	return left + strings.Repeat(" ", width-len([]rune(left))-len([]rune(right))) + right
}
