package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkClassEngines checks the class of the repository's variants (the
// one TestClassOverVariants checks, without the slow ones) on the first
// engine of TPDOCKER_MOTEURS alone, then spread over all of them, and
// reports both times, their ratio and its target, 1/N + 10 %:
//
//	TPDOCKER_MOTEURS=default,salle2 go test -run '^$' -bench ClassEngines -benchtime 1x -timeout 90m ./cmd/classe
//
// Each engine first checks correct-tp, untimed, so that both timed runs
// start with warm build caches. Both runs must give every student the
// same verdicts.
func BenchmarkClassEngines(b *testing.B) {
	env := os.Getenv("TPDOCKER_MOTEURS")
	es, err := ParseEngines(env)
	if err != nil {
		b.Fatal(err)
	}
	if len(es) < 2 {
		b.Skip("TPDOCKER_MOTEURS : donnez au moins deux moteurs, le premier étant celui qui vérifie seul")
	}
	first, _, _ := strings.Cut(env, ",")
	class, _ := variantClasses(b)

	warm := b.TempDir()
	for i := range es {
		if err := os.CopyFS(filepath.Join(warm, fmt.Sprintf("chauffe-%d", i+1)), os.DirFS(filepath.Join(class, "correct-tp"))); err != nil {
			b.Fatal(err)
		}
	}
	check := func(class, engines string) *classRun {
		b.Helper()
		r, err := run(context.Background(), options{class: class, out: b.TempDir(), engines: engines, limit: 4 * time.Minute}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if r.checkerErrors > 0 {
			b.Fatalf("%d élève(s) non vérifié(s) par erreur du vérificateur (moteurs %s)", r.checkerErrors, engines)
		}
		return r
	}
	var one, all *classRun
	for b.Loop() {
		check(warm, env)
		one = check(class, first)
		all = check(class, env)
	}
	n := float64(len(es))
	b.ReportMetric(one.seconds, "s/classe-1-moteur")
	b.ReportMetric(all.seconds, "s/classe-répartie")
	b.ReportMetric(all.seconds/one.seconds, "rapport")
	b.ReportMetric(1/n+0.10, "cible")
	b.Logf("%d élèves : %.0f s sur %s seul, %.0f s sur %d moteurs (%s) : rapport %.2f, cible %.2f",
		len(one.report.Reports), one.seconds, es[0], all.seconds, len(es), engineNames(es), all.seconds/one.seconds, 1/n+0.10)

	// The same verdicts, wherever a student was checked.
	verdicts := func(r *classRun) map[string]string {
		m := map[string]string{}
		for _, rep := range r.report.Reports {
			var v strings.Builder
			fmt.Fprint(&v, len(rep.Refused) > 0)
			for _, q := range rep.Questions {
				fmt.Fprintf(&v, " %s=%s", q.ID, q.Status)
			}
			m[rep.Student] = v.String()
		}
		return m
	}
	a, c := verdicts(one), verdicts(all)
	for s, v := range a {
		if c[s] != v {
			b.Errorf("%s : sur un moteur %s, sur %d moteurs %s", s, v, len(es), c[s])
		}
	}
	if len(a) != len(c) {
		b.Errorf("%d élèves sur un moteur, %d sur %d moteurs", len(a), len(c), len(es))
	}
}
