package tpdocker_test

// BenchmarkSuiteVsSequential runs, on the same warm engine, the suite (go
// test, scripts in parallel where they can be) and a plain shell script that
// runs the same commands one after the other, and reports their ratio.
//
//	go test -run '^$' -bench SuiteVsSequential -benchtime 1x
//
// The shell script is written from testdata/*.txtar: every exec, in order,
// with shell loops for the readiness checks and no assertion. It talks to the
// engine through a scope proxy too, so that its prune steps and its cleanup
// touch only its own objects.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/engine"
	"tpdocker/internal/harness"
	"tpdocker/internal/scriptlang"
)

// sequentialScript turns the scripts into one bash script.
func sequentialScript(root string) (string, error) {
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "*.txtar"))
	var b strings.Builder
	b.WriteString("set -u\nsay() { printf '%s\\n' \"$*\" >&2; }\n")
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			return "", err
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		fmt.Fprintf(&b, "\n# %s\nWORK=\"$BASE/%s\"; mkdir -p \"$WORK\"; cd \"$WORK\"\n", name, name)
		for _, lf := range harness.LabFiles {
			fmt.Fprintf(&b, "mkdir -p \"$WORK/tpdocker/%s\"; cp %q \"$WORK/tpdocker/%s\"\n", filepath.Dir(lf), filepath.Join(root, lf), lf)
		}
		for _, af := range a.Files {
			fmt.Fprintf(&b, "cat > \"$WORK/%s\" <<'TPDOCKER_EOF'\n%sTPDOCKER_EOF\n", af.Name, af.Data)
		}
		stdin := ""
		for _, l := range scriptlang.ParseScript(string(a.Comment)).Lines {
			// Blank lines, comments, and lines with a condition are left out.
			if len(l.Args) == 0 || len(l.Conds) > 0 {
				continue
			}
			neg, words := l.Neg, l.Args
			q := func(ws []string) string {
				out := make([]string, len(ws))
				for i, w := range ws {
					if strings.HasPrefix(w, "$") {
						out[i] = `"` + w + `"`
					} else {
						out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
					}
				}
				return strings.Join(out, " ")
			}
			switch words[0] {
			case "cd":
				fmt.Fprintf(&b, "cd %s\n", q(words[1:]))
			case "stdin":
				stdin = words[1]
			case "exec":
				in := ""
				if stdin != "" {
					in = " < " + q([]string{stdin})
					stdin = ""
				}
				if l.Background {
					fmt.Fprintf(&b, "%s%s > \"$WORK/.bg-%s\" 2>&1 & bg_%s=$!\n", q(words[1:]), in, l.BgName, l.BgName)
					continue
				}
				fail := "|| { say \"échec : \"" + q(words[1:2]) + "; exit 1; }"
				if neg {
					fail = "|| true"
				}
				fmt.Fprintf(&b, "%s%s > \"$WORK/.out\" 2> \"$WORK/.err\" %s\n", q(words[1:]), in, fail)
			case "wait":
				fmt.Fprintf(&b, "wait \"$bg_%s\" || true\n", words[1])
			case "waithttp":
				fmt.Fprintf(&b, "until curl -sf %s > /dev/null; do sleep 0.1; done\n", q(words[1:2]))
			case "waitpg":
				b.WriteString("until docker compose exec -T db psql -U demo -d demo -c 'SELECT 1' > /dev/null 2>&1; do sleep 0.1; done\n")
			case "grab":
				fmt.Fprintf(&b, "%s=$(perl -ne 'if (/%s/) { print $1; exit }' \"$WORK/.out\")\n", words[1], strings.ReplaceAll(words[2], "/", `\/`))
			case "subst":
				re := strings.TrimPrefix(words[2], "(?m)")
				fmt.Fprintf(&b, "perl -pi -e 's/%s/%s/' %s\n", strings.ReplaceAll(re, "/", `\/`), words[3], q(words[1:2]))
			case "terminal":
				// script(1) gives the command a terminal: util-linux's on
				// Linux, the BSD one on macOS, whose options differ.
				cmdline, in := q([]string{strings.Join(words[2:], " ")}), q(words[1:2])
				if runtime.GOOS == "darwin" {
					fmt.Fprintf(&b, "script -q /dev/null sh -c %s < %s > /dev/null\n", cmdline, in)
				} else {
					fmt.Fprintf(&b, "script -qec %s /dev/null < %s > /dev/null\n", cmdline, in)
				}
			}
		}
		// The cleanup the harness does after each script; the proxy keeps
		// these to the script's own objects.
		b.WriteString("docker rm -f $(docker ps -aq) > /dev/null 2>&1; docker network prune -f > /dev/null; docker volume rm -f $(docker volume ls -q) > /dev/null 2>&1; docker image prune -af > /dev/null\n")
	}
	return b.String(), nil
}

func BenchmarkSuiteVsSequential(b *testing.B) {
	if testing.Short() {
		b.Skip("-short : pas de Docker")
	}
	if err := suite.Start(); err != nil {
		b.Fatal(err)
	}
	root, _ := os.Getwd()
	script, err := sequentialScript(root)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "sequentiel.sh")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		b.Fatal(err)
	}
	// The suite in a child go test needs the lock this process holds.
	takeBack := suite.LendLock()
	defer takeBack(context.Background())

	var suiteTime, seqTime time.Duration
	for range b.N {
		start := time.Now()
		cmd := exec.Command("go", "test", "-run", "TestTP", "-count=1", ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("la suite a échoué : %v\n%s", err, out)
		}
		suiteTime += time.Since(start)

		scope := suite.RunID() + ".sequentiel"
		proxy, err := suite.StartProxy(dir, scope, func(id string) []string {
			c, err := suite.Client().ContainerInspect(context.Background(), id)
			if err != nil {
				return nil
			}
			var vols []string
			for _, m := range c.Mounts {
				if m.Type == "volume" {
					vols = append(vols, m.Name)
				}
			}
			engine.MarkVolumes(context.Background(), suite.Client(), scope, vols)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		sh := exec.Command("bash", path)
		sh.Env = append(os.Environ(), "DOCKER_HOST="+proxy.Host(), "DOCKER_BUILDKIT=1", "BASE="+filepath.Join(dir, "work"))
		out, err := sh.CombinedOutput()
		seqTime += time.Since(start)
		proxy.Close()
		engine.RemoveScope(context.Background(), suite.Client(), engine.ScopeIs(scope))
		if err != nil {
			b.Fatalf("le script séquentiel a échoué : %v\n%s", err, out)
		}
	}
	ratio := suiteTime.Seconds() / seqTime.Seconds()
	b.ReportMetric(suiteTime.Seconds()/float64(b.N), "s-suite/op")
	b.ReportMetric(seqTime.Seconds()/float64(b.N), "s-séquentiel/op")
	b.ReportMetric(ratio, "suite/séquentiel")
	fmt.Printf("tpdocker: suite %.1fs, script séquentiel %.1fs, rapport %.2f (objectif ≤ 0,7)\n",
		suiteTime.Seconds()/float64(b.N), seqTime.Seconds()/float64(b.N), ratio)
}
