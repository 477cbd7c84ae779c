package tpdocker_test

// The student mode's wiring: go test -rendu DIR checks a student's own
// files with the lab's scripts, question by question (internal/student).
//
//	go test -rendu ../mon-tp                 one student's folder
//	go test -rendu ../mon-tp -sortie rapport where the reports go

import (
	"flag"
	"fmt"
	"time"

	"tpdocker/internal/student"
)

var (
	studentDir    = flag.String("rendu", "", "check a student's folder (app.py, Dockerfile, docker-compose.yml) with the lab's scripts, instead of the author's files")
	studentOut    = flag.String("sortie", "", "with -rendu: the folder the reports are written to (default out/rendus/NAME)")
	studentBareme = flag.String("bareme", "", "with -rendu: a barème file, one question and its points a line (\"4.b 2\"); one point per question by default")
	studentLimit  = flag.Duration("limite", 4*time.Minute, "with -rendu: the time limit of one exercise, after which its running command is stopped")
)

// runStudent checks the student's folder of -rendu, within go test's own
// -timeout (10 minutes by default), which ends the whole run: the check
// stops early enough for its report to be written.
func runStudent() int {
	if *update {
		fmt.Println("tpdocker: -rendu vérifie un rendu d'élève ; il ne réécrit pas les enregistrements du site : retirez -update.")
		return 2
	}
	var end time.Time
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, ok := f.Value.(flag.Getter).Get().(time.Duration); ok && d > 0 {
			end = time.Now().Add(d - 90*time.Second)
		}
	}
	return student.Check(student.Options{
		Dir: *studentDir, Out: *studentOut, Bareme: *studentBareme,
		Limit: *studentLimit, LockWait: *lockWait, End: end,
	})
}
