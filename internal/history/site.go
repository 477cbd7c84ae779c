package history

import (
	"fmt"
	"math"
	"strings"
)

// SiteData is what the site reads (site/data/historique.json): the runs,
// newest first, and what the pages show from them, computed here once.
type SiteData struct {
	Branch string    `json:"branch"`
	Total  int       `json:"total"`  // runs on the branch
	Runs   []SiteRun `json:"runs"`   // the last MaxRuns, newest first
	Streak int       `json:"streak"` // runs in a row that passed, from the newest
	// LastPass is the newest run that passed (its index in Runs), -1 if none.
	LastPass int `json:"last_pass"`
	// Steps gives, for each script, the time of each of its commands in the
	// newest run that passed.
	Steps map[string][]Step `json:"steps"`
	// Scripts gives each script's status over the last runs, oldest first.
	Scripts map[string][]ScriptRun `json:"scripts"`
	Chart   Chart                  `json:"chart"`
}

// SiteRun is one run as the history page shows it.
type SiteRun struct {
	Entry
	Number   int               `json:"number"` // from 1, in the order of the branch
	Day      string            `json:"day"`    // 2006-01-02
	ByScript map[string]Script `json:"by_script"`
}

// ScriptRun is a script's result in one run.
type ScriptRun struct {
	Number  int     `json:"number"`
	Day     string  `json:"day"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
}

// Chart is the suite's duration per run, drawn as an SVG polyline in a
// Width×Height box (oldest run on the left).
type Chart struct {
	W      int          `json:"width"`
	H      int          `json:"height"`
	Max    float64      `json:"max"` // seconds at the top of the box
	Points string       `json:"points"`
	Marks  []ChartPoint `json:"marks"`
}

// ChartPoint is one run on the chart.
type ChartPoint struct {
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Number  int     `json:"number"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
}

const (
	// MaxRuns is how many runs the site shows; the branch keeps them all.
	MaxRuns = 60
	// ScriptRuns is how many runs an exercise page shows its status over.
	ScriptRuns = 10
)

// Site makes the site's data from the branch's entries (oldest first).
func Site(branch string, entries []Entry) SiteData {
	d := SiteData{Branch: branch, Total: len(entries), LastPass: -1,
		Steps: map[string][]Step{}, Scripts: map[string][]ScriptRun{}, Runs: []SiteRun{}}
	for i := len(entries) - 1; i >= 0 && len(d.Runs) < MaxRuns; i-- {
		e := entries[i]
		r := SiteRun{Entry: e, Number: i + 1, Day: day(e.Date), ByScript: map[string]Script{}}
		for _, s := range e.Scripts {
			s.Steps = nil // the page needs only the newest pass's steps
			r.ByScript[s.Script] = s
		}
		d.Runs = append(d.Runs, r)
	}
	for i, r := range d.Runs {
		if r.Status != "pass" {
			break
		}
		d.Streak = i + 1
	}
	if d.Streak == len(d.Runs) {
		// The streak may go on beyond the runs shown.
		d.Streak = 0
		for i := len(entries) - 1; i >= 0 && entries[i].Status == "pass"; i-- {
			d.Streak++
		}
	}
	for i, r := range d.Runs {
		if r.Status == "pass" {
			d.LastPass = i
			e := entries[r.Number-1]
			for _, s := range e.Scripts {
				d.Steps[s.Script] = s.Steps
			}
			break
		}
	}
	// Each script over the last runs that ran it, oldest first.
	for i := len(d.Runs) - 1; i >= 0; i-- {
		r := d.Runs[i]
		for name, s := range r.ByScript {
			d.Scripts[name] = append(d.Scripts[name], ScriptRun{Number: r.Number, Day: r.Day, Status: s.Status, Seconds: s.Seconds})
		}
	}
	for name, runs := range d.Scripts {
		if len(runs) > ScriptRuns {
			d.Scripts[name] = runs[len(runs)-ScriptRuns:]
		}
	}
	d.Chart = chart(d.Runs, 600, 160)
	return d
}

// chart places the runs (newest first in runs) left to right, oldest first,
// the longest at the top of a box of w×h.
func chart(runs []SiteRun, w, h int) Chart {
	c := Chart{W: w, H: h, Marks: []ChartPoint{}}
	for _, r := range runs {
		c.Max = math.Max(c.Max, r.Seconds)
	}
	if c.Max == 0 {
		return c
	}
	// A round top: the next multiple of 60 s (of 10 s under a minute).
	step := 60.0
	if c.Max < 60 {
		step = 10
	}
	c.Max = math.Ceil(c.Max/step) * step
	const pad = 8.0
	var pts []string
	n := len(runs)
	for i := n - 1; i >= 0; i-- {
		r := runs[i]
		x := float64(w) / 2
		if n > 1 {
			x = pad + float64(n-1-i)*(float64(w)-2*pad)/float64(n-1)
		}
		y := pad + (1-r.Seconds/c.Max)*(float64(h)-2*pad)
		x, y = math.Round(x*10)/10, math.Round(y*10)/10
		pts = append(pts, fmt.Sprintf("%g,%g", x, y))
		c.Marks = append(c.Marks, ChartPoint{X: x, Y: y, Number: r.Number, Status: r.Status, Seconds: r.Seconds})
	}
	c.Points = strings.Join(pts, " ")
	return c
}

func day(date string) string {
	if len(date) >= 10 {
		return date[:10]
	}
	return date
}
