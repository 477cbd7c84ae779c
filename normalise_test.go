package tpdocker_test

// Normalising a recorded run: what changes from one run to the next (IDs,
// generated names, durations, client ports, timestamps) is replaced by a
// stable, visibly generic value, and tables are re-aligned, so that two runs
// in a row give the same record.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

type normaliser struct {
	ips   map[string]string // private address -> alias
	ids   map[string]string // 12-hex prefix -> alias
	names map[string]string // generated container name -> alias
}

var (
	ansiSeq     = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]`)
	hex64       = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	hex12       = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	seconds     = regexp.MustCompile(`\b(?:Less than a second|\d+ seconds?)\b`)
	minutes     = regexp.MustCompile(`\b(?:About a minute|\d+ minutes?)\b`)
	composeTime = regexp.MustCompile(`\b\d+\.\ds\b`)
	clientPort  = regexp.MustCompile(`\b(\d+\.\d+\.\d+\.\d+):\d{2,5}( - ")`)
	pgTime      = regexp.MustCompile(`\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC\b`)
	pgPID       = regexp.MustCompile(`(UTC )\[\d+\]`)
	bkTime      = regexp.MustCompile(`^(#\d+) \d+\.\d+ `)
	logTime     = regexp.MustCompile(`time="[0-9T:.Z+-]+"`)
	ctxSize     = regexp.MustCompile(`(Sending build context to Docker daemon) +[0-9.]+k?B`)
	privateIP   = regexp.MustCompile(`\b(?:10\.\d+|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d+\.\d+\b`)
	generated   = regexp.MustCompile(`^[a-z]+_[a-z]+[0-9]?$`)
	curlMeter   = regexp.MustCompile(`(?s)^ +% Total +% Received.*?\n(?:[^\n]*\r[^\n]*\n?|[ 0-9]+[^\n]*\n?)*`)
	tableHeader = regexp.MustCompile(`^(CONTAINER ID|NAME {2,}|REPOSITORY|NETWORK ID|DRIVER {2,}VOLUME NAME)`)
)

func normalise(r *scriptResult, created []createdContainer) {
	n := &normaliser{ips: map[string]string{}, ids: map[string]string{}, names: map[string]string{}}
	for _, c := range created {
		if generated.MatchString(c.Name) && n.names[c.Name] == "" {
			n.names[c.Name] = fmt.Sprintf("nom-genere-%d", len(n.names)+1)
		}
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		s.Stdout = strings.ReplaceAll(s.Stdout, suite.runID, "RUN")
		s.Stderr = strings.ReplaceAll(s.Stderr, suite.runID, "RUN")
		if s.Input != "" {
			s.Stdout = dropTypeAhead(s.Stdout, s.Input)
		}
		s.Stdout = n.text(s.Stdout)
		s.Tty = n.text(s.Tty)
		s.Stderr = n.text(curlMeter.ReplaceAllString(s.Stderr, ""))
	}
}

// ip gives each private address of a run (they depend on the networks the
// engine already has) a stable name in order of appearance.
func (n *normaliser) ip(a string) string { return alias(n.ips, a, "ip") }

// id does the same for IDs, full or short, by their 12-hex prefix.
func (n *normaliser) id(h string) string { return alias(n.ids, h[:12], "id") }

func alias(m map[string]string, key, prefix string) string {
	a, ok := m[key]
	if !ok {
		a = fmt.Sprintf("%s-%d", prefix, len(m)+1)
		m[key] = a
	}
	return a
}

// text normalises one output; tables are cut along their header's columns,
// normalised cell by cell and re-aligned as docker aligns them.
func (n *normaliser) text(s string) string {
	s = ansiSeq.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "")
	lines := strings.Split(s, "\n")
	var out []string
	for i := 0; i < len(lines); {
		if tableHeader.MatchString(lines[i]) {
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) != "" {
				j++
			}
			out = append(out, n.table(lines[i:j])...)
			i = j
			continue
		}
		out = append(out, n.line(lines[i]))
		i++
	}
	return strings.Join(sortRuns(out), "\n")
}

// A prune lists what it deleted in no set order: sort those runs of lines.
var unordered = regexp.MustCompile(`^(deleted: |untagged: |id-\d+$)`)

func sortRuns(lines []string) []string {
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && unordered.MatchString(lines[j]) {
			j++
		}
		if j > i+1 {
			run := lines[i:j]
			sort.SliceStable(run, func(a, b int) bool {
				ka, kb := aliasKey(run[a]), aliasKey(run[b])
				if ka != kb {
					return ka < kb
				}
				return run[a] < run[b]
			})
		}
		i = max(j, i+1)
	}
	return lines
}

// aliasKey orders "deleted: sha256:id-12" after "deleted: sha256:id-9".
func aliasKey(l string) int {
	k := 0
	if m := regexp.MustCompile(`id-(\d+)`).FindStringSubmatch(l); m != nil {
		fmt.Sscan(m[1], &k)
	}
	return k
}

func (n *normaliser) line(l string) string {
	l = strings.ReplaceAll(l, "$WORK/", "~/") // the script's folder: the reader's home
	l = hex64.ReplaceAllStringFunc(l, n.id)
	l = hex12.ReplaceAllStringFunc(l, n.id)
	for name, alias := range n.names {
		l = regexp.MustCompile(`\b`+name+`\b`).ReplaceAllString(l, alias)
	}
	l = seconds.ReplaceAllString(l, "N seconds")
	l = minutes.ReplaceAllString(l, "N minutes")
	l = composeTime.ReplaceAllString(l, "N.Ns")
	l = clientPort.ReplaceAllString(l, "${1}:PORT${2}")
	l = pgTime.ReplaceAllString(l, "AAAA-MM-JJ hh:mm:ss.mmm UTC")
	l = pgPID.ReplaceAllString(l, "${1}[PID]")
	l = bkTime.ReplaceAllString(l, "${1} N.NNN ")
	l = logTime.ReplaceAllString(l, `time="AAAA-MM-JJThh:mm:ssZ"`)
	l = ctxSize.ReplaceAllString(l, "${1}  N B")
	l = privateIP.ReplaceAllStringFunc(l, n.ip)
	return l
}

// table re-aligns a docker table: columns start where the header's words
// do, and are padded to their widest cell plus three spaces (ten at least).
func (n *normaliser) table(rows []string) []string {
	header := rows[0]
	var starts []int
	for i := 0; i < len(header); i++ {
		if header[i] != ' ' && (i == 0 || (i >= 2 && header[i-1] == ' ' && header[i-2] == ' ')) {
			starts = append(starts, i)
		}
	}
	cells := make([][]string, len(rows))
	widths := make([]int, len(starts))
	for r, row := range rows {
		cells[r] = make([]string, len(starts))
		for c, st := range starts {
			end := len(row)
			if c+1 < len(starts) && starts[c+1] < end {
				end = starts[c+1]
			}
			cell := ""
			if st < len(row) {
				cell = strings.TrimSpace(row[st:end])
			}
			if r > 0 {
				cell = n.line(cell)
			}
			cells[r][c] = cell
			if w := len([]rune(cell)); w > widths[c] {
				widths[c] = w
			}
		}
	}
	if strings.HasPrefix(header, "DRIVER") {
		// docker volume ls orders by name, and anonymous names are random.
		body := cells[1:]
		sort.SliceStable(body, func(a, b int) bool { return aliasKey(body[a][len(starts)-1]) < aliasKey(body[b][len(starts)-1]) })
	}
	out := make([]string, len(rows))
	for r := range rows {
		var b strings.Builder
		for c, cell := range cells[r] {
			if c == len(starts)-1 {
				b.WriteString(cell)
				break
			}
			w := max(widths[c]+3, 10)
			b.WriteString(cell + strings.Repeat(" ", w-len([]rune(cell))))
		}
		out[r] = strings.TrimRight(b.String(), " ")
	}
	return out
}

var typeAheadEnd = regexp.MustCompile(`^\^.\r?\n(\r?\n)?`)

// dropTypeAhead removes the echo of an interactive session's input that the
// terminal shows before the program takes it over: the script types its
// whole input at once, a person types it at the prompts, where the session
// shows it again.
func dropTypeAhead(out, input string) string {
	echo := strings.ReplaceAll(input, "\n", "\r\n")
	for _, e := range []string{echo, input} {
		if strings.HasPrefix(out, e) {
			return typeAheadEnd.ReplaceAllString(strings.TrimPrefix(out, e), "")
		}
	}
	return out
}
