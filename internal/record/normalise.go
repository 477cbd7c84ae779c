package record

// Normalising a recorded run: what changes from one run to the next (IDs,
// generated names, durations, client ports, timestamps) is replaced by a
// stand-in of the same shape (a hex ID, an adjective_surname name, "Up 4
// seconds"...), fixed for a given record, and tables are re-aligned, so that
// two runs in a row give the same record and the reader sees plausible output.
//
// A stand-in depends only on the script and on the order in which the
// run's values first appear in it: the n-th new ID of a script is always the
// same hex string, the n-th generated name of a script always the same name.
// The stand-ins of one script differ from those of every other, so that two
// different objects never share one anywhere on the site; the records of a
// run share their IDs' stand-ins (Placeholders), so that an object seen by
// several scripts (an image, a base image's digest) keeps one stand-in
// everywhere, the one the first script (by name) that showed it gave it.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The fixed values stand-ins are made of.
const (
	defaultDay    = "2025-11-20"   // the day of timestamps, when the record has no date
	clockTime     = "14:03:12"     // the time of day of every timestamp
	earlierTime   = "14:03:10"     // the time of day of timestamps given to the second
	runStandIn    = "1879bbf589ce" // the run ID: the hex prefix of a UnixNano, as the suite makes it
	ctxStandIn    = "2.048kB"      // classic builder: size of the build context sent
	bakeStandIn   = "563B"         // compose: size of the bake definition it sends
	upStandIn     = "4 seconds"    // how long a container has been up, or since it exited
	createdAgo    = "5 seconds ago"
	composeStep   = "1.2s" // compose's step durations
	bkSubStep     = "0.1s" // BuildKit: durations within a step ("exporting layers 0.1s done")
	firstPort     = 54322  // first client port; Linux favours even ports for connect()
	firstPID      = 64     // first PID other than 1
	bkFirstOffset = 0.512  // BuildKit: time of a step's first output line
	bkLineStep    = 0.131  // BuildKit: time between two output lines of a step
)

// Docker's name generator draws an adjective and a scientist's surname; the
// stand-ins use a few of its words.
var (
	nameAdjectives = []string{"brave", "festive", "quirky", "serene", "eager", "jolly", "focused", "gallant", "nifty", "upbeat", "zealous", "stoic", "vibrant", "dreamy", "keen", "modest"}
	nameSurnames   = []string{"curie", "lovelace", "hopper", "turing", "noether", "hypatia", "ritchie", "knuth", "shannon", "babbage", "kepler", "pasteur", "meitner", "liskov", "tesla", "darwin"}
)

// Placeholders are the IDs' stand-ins shared by the records of one run.
type Placeholders struct {
	ids       map[string]int // 12-hex prefix of a real ID -> alias index, from 1
	idHex     []string       // alias index - 1 -> 64-hex stand-in
	aliasOf   map[string]int // stand-in, 12- or 64-hex -> alias index
	perScript map[string]int // script -> IDs it was the first to show

	owner   []string          // alias index - 1 -> the script that gave the stand-in
	shownBy []map[string]bool // alias index - 1 -> the scripts that show it
	kept    map[string]KeptID // shared IDs of records not re-made, by IDKey
	remade  map[string]bool   // the scripts whose records are being made
}

// KeptID is the stand-in an ID shown by several scripts has in the records:
// the script that gave it, and the 64-hex stand-in.
type KeptID struct {
	Script string   `json:"script"`
	ID     string   `json:"id"`
	Shown  []string `json:"shown"` // the scripts whose records show it
}

// NewPlaceholders starts the stand-ins of a run.
func NewPlaceholders() *Placeholders {
	return &Placeholders{ids: map[string]int{}, aliasOf: map[string]int{}, perScript: map[string]int{}, kept: map[string]KeptID{}, remade: map[string]bool{}}
}

// IDKey is how the shared stand-ins' file names a real ID: a hash of its
// 12-hex prefix, which does not give the ID.
func IDKey(short string) string {
	sum := sha256.Sum256([]byte("tpdocker placeholder " + short))
	return hex.EncodeToString(sum[:8])
}

type normaliser struct {
	runID  string // the suite's run ID, shown in the scope label of builds
	day    string // the day timestamps are put on, 2006-01-02
	script string // the record's script: its own stand-ins derive from it

	*Placeholders
	names   map[string]string // generated container name -> stand-in
	nameRe  *regexp.Regexp    // any generated name of the run
	ctx     string            // the network of the current step's addresses (networkOf)
	epoch   map[string]int    // network context -> networks of that name removed so far
	netOf   map[string]string // network (context, epoch, first three octets) -> stand-in network
	cur     map[string]string // private network (first three octets) -> its stand-in, as last seen
	nets    int               // stand-in networks the script was the first to show
	hosts   map[string]string // private address and stand-in network -> stand-in address
	netHost map[string]int    // stand-in network -> stand-in hosts given so far
	ports   map[string]string // client port -> stand-in
	pids    map[string]string // PostgreSQL PID -> stand-in
	bkLines map[string]int    // BuildKit step -> output lines seen, in the current text
}

var (
	ansiSeq     = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]`)
	hex64       = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	hex12       = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	duration    = regexp.MustCompile(`\b(Up |(?:Exited|Restarting) \(\d+\) )?(?:Less than a second|About a minute|\d+ (?:seconds?|minutes?))\b( ago)?`)
	composeTime = regexp.MustCompile(`\b\d+\.\ds\b`)
	clientPort  = regexp.MustCompile(`\b(\d+\.\d+\.\d+\.\d+):(\d{2,5})( - ")`)
	pgTime      = regexp.MustCompile(`\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC\b`)
	pgTimeSec   = regexp.MustCompile(`\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\b`)
	pgPID       = regexp.MustCompile(`(UTC )\[(\d+)\]`)
	bkTime      = regexp.MustCompile(`^(#\d+) \d+\.\d+ `)
	bkDone      = regexp.MustCompile(`^(#\d+) DONE \d+\.\ds$`)
	bkStep      = regexp.MustCompile(`^#\d+ `)
	logTime     = regexp.MustCompile(`time="[0-9T:.Z+-]+"`)
	logTTYTime  = regexp.MustCompile(`\b(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[\d+\]`)
	ctxSize     = regexp.MustCompile(`(Sending build context to Docker daemon) +[0-9.]+[kMG]?B`)
	bakeSize    = regexp.MustCompile(`(load local bake definitions|reading from stdin) [0-9.]+[kMG]?B`) // the definition holds the project's path
	privateIP   = regexp.MustCompile(`\b(?:10\.\d+|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d+\.\d+\b`)
	generated   = regexp.MustCompile(`^[a-z]+_[a-z]+[0-9]?$`)
	curlMeter   = regexp.MustCompile(`(?s)^ +% Total +% Received.*?\n(?:[^\n]*\r[^\n]*\n?|[ 0-9]+[^\n]*\n?)*`)
	tableHeader = regexp.MustCompile(`^(CONTAINER ID|NAME {2,}|REPOSITORY|NETWORK ID|DRIVER {2,}VOLUME NAME)`)
)

// Normalise rewrites a run's record in place. runID is the suite's run ID;
// created lists the containers the script created, whose generated names
// get stand-ins.
func Normalise(r *Result, runID string, created []Container) {
	NormaliseAll([]*Result{r}, runID, map[string][]Container{r.Script: created})
}

// NormaliseAll rewrites the records of one run in place, in the order of
// their scripts' names, with one set of ID stand-ins: an ID that several
// records show gets the same stand-in in each. created lists, by script, the
// containers each script created.
func NormaliseAll(records []*Result, runID string, created map[string][]Container) {
	normaliseWith(records, runID, created, NewPlaceholders())
}

func normaliseWith(records []*Result, runID string, created map[string][]Container, ph *Placeholders) {
	rs := append([]*Result(nil), records...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Script < rs[j].Script })
	for _, r := range rs {
		newNormaliser(runID, r.Date, r.Script, ph, created[r.Script]).result(r)
	}
}

// newNormaliser starts the aliases of one record of script. day is the
// record's date (defaultDay if it is not one); ph the run's ID stand-ins
// (nil: the record's own).
func newNormaliser(runID, day, script string, ph *Placeholders, created []Container) *normaliser {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		day = defaultDay
	}
	if ph == nil {
		ph = NewPlaceholders()
	}
	n := &normaliser{
		runID: runID, day: day, script: script, Placeholders: ph,
		names: map[string]string{},
		epoch: map[string]int{}, netOf: map[string]string{}, cur: map[string]string{},
		hosts: map[string]string{}, netHost: map[string]int{},
		ports: map[string]string{}, pids: map[string]string{},
	}
	var quoted []string
	for _, c := range created {
		if generated.MatchString(c.Name) && n.names[c.Name] == "" {
			n.names[c.Name] = generatedName(script, len(n.names)+1)
			quoted = append(quoted, regexp.QuoteMeta(c.Name))
		}
	}
	if len(quoted) > 0 {
		// Longest first, and one pass: a stand-in may be another real name.
		sort.Slice(quoted, func(a, b int) bool {
			if len(quoted[a]) != len(quoted[b]) {
				return len(quoted[a]) > len(quoted[b])
			}
			return quoted[a] < quoted[b]
		})
		n.nameRe = regexp.MustCompile(`\b(?:` + strings.Join(quoted, "|") + `)\b`)
	}
	return n
}

// result normalises every output of the record.
func (n *normaliser) result(r *Result) {
	for i := range r.Steps {
		s := &r.Steps[i]
		n.ctx = networkOf(s.Cmd)
		if s.Input != "" {
			s.Stdout = dropTypeAhead(s.Stdout, s.Input)
		}
		s.Stdout = n.text(s.Stdout)
		s.Tty = n.text(s.Tty)
		s.Stderr = n.text(curlMeter.ReplaceAllString(s.Stderr, ""))
		s.Output = n.text(s.Output)
		if gone := removesNetworks(s.Cmd); gone != "" {
			n.epoch[gone]++
		}
	}
	n.ctx = ""
}

var (
	networkFlag = regexp.MustCompile(`\s--net(?:work)?[ =]("[^"]*"|\S+)`)
	networkRm   = regexp.MustCompile(`^docker network (?:rm|remove) (\S+)`)
	composeDown = regexp.MustCompile(`^docker compose (?:.* )?down\b`)
)

// networkOf names the network a command's addresses are on: the one it
// names (--network), the Compose project's, or for another docker run the
// engine's default bridge; "" when the command does not say.
func networkOf(cmd string) string {
	switch {
	case !strings.HasPrefix(cmd, "docker "):
		return ""
	case networkFlag.MatchString(cmd):
		return "net:" + strings.Trim(networkFlag.FindStringSubmatch(cmd)[1], `"`)
	case strings.HasPrefix(cmd, "docker compose "):
		return "compose"
	case strings.HasPrefix(cmd, "docker run ") || strings.HasPrefix(cmd, "docker container run "):
		return "bridge"
	}
	return ""
}

// removesNetworks names the network context whose network a command
// removes (a network of the same name made later is another one).
func removesNetworks(cmd string) string {
	switch {
	case composeDown.MatchString(cmd):
		return "compose"
	case networkRm.MatchString(cmd):
		return "net:" + networkRm.FindStringSubmatch(cmd)[1]
	}
	return ""
}

// standInID is the 64-hex stand-in of the k-th new ID of a script's record
// (from 1): a hash of the script and k, so that its 12-hex prefix is the
// short ID, as with Docker, and differs from one script to the next.
func standInID(script string, k, salt int) string {
	key := fmt.Sprintf("tpdocker id %d/%d", k, salt)
	if script != "" {
		key = fmt.Sprintf("tpdocker id %s %d/%d", script, k, salt)
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

var exerciseNumber = regexp.MustCompile(`^ex(\d+)`)

// scriptSlot numbers a script among the site's: its exercise's number (ex4
// in ex4-run), else a hash of its name.
func scriptSlot(script string) int {
	if m := exerciseNumber.FindStringSubmatch(script); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if script == "" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(script))
	return int(h.Sum32() % 1024)
}

// generatedName is the stand-in of the k-th generated name of a script's
// record (from 1). The adjective moves with k and the script, the surname
// with k and twice the script: from a name, its script (modulo the lists'
// length, 16) and k are found again, so that two scripts never share a
// name. Past 16 names in a script, a digit follows, as Docker adds one when
// a name is taken.
func generatedName(script string, k int) string {
	i, s, na := k-1, scriptSlot(script)%len(nameAdjectives), len(nameAdjectives)
	name := nameAdjectives[(i%na+s)%na] + "_" + nameSurnames[(i%na+2*s)%na]
	if round := i / na; round > 0 {
		name += fmt.Sprint(round)
	}
	return name
}

// id gives an ID, full or short, the stand-in of its 12-hex prefix, as long
// as the ID was.
func (n *normaliser) id(h string) string {
	if h == runStandIn {
		return h
	}
	k, ok := n.ids[h[:12]]
	if kid, found := n.kept[IDKey(h[:12])]; !ok && found && !n.remade[kid.Script] && n.aliasOf[kid.ID[:12]] == 0 {
		// Shown by a script whose record is not re-made in this run: the
		// stand-in it has there.
		k, ok = len(n.idHex)+1, true
		n.ids[h[:12]] = k
		n.idHex = append(n.idHex, kid.ID)
		n.aliasOf[kid.ID], n.aliasOf[kid.ID[:12]] = k, k
		n.owner = append(n.owner, kid.Script)
		n.shownBy = append(n.shownBy, map[string]bool{})
	}
	if !ok {
		k = len(n.idHex) + 1
		n.perScript[n.script]++
		full := ""
		for salt := 0; ; salt++ {
			full = standInID(n.script, n.perScript[n.script], salt)
			if short := full[:12]; n.aliasOf[short] == 0 && short != runStandIn {
				break
			}
		}
		n.ids[h[:12]] = k
		n.idHex = append(n.idHex, full)
		n.aliasOf[full] = k
		n.aliasOf[full[:12]] = k
		n.owner = append(n.owner, n.script)
		n.shownBy = append(n.shownBy, map[string]bool{})
	}
	n.shownBy[k-1][n.script] = true
	return n.idHex[k-1][:len(h)]
}

// bridgeNet is the stand-in of the engine's default bridge, as Docker
// numbers it: one network, the same on every page.
const bridgeNet = "172.17.0"

// ip gives each private address of a run a Docker address. The network is
// told by the step's command (networkOf): the default bridge is 172.17.0.0
// on every page; any other network (a Compose project's, one made by hand)
// gets a range of the script's own, 172.(18+slot).k.0 for its k-th network,
// so that two networks never share a range on the site, even when the
// engine gave a removed network's range to a new one. A gateway (.1) and a
// network's own address (.0) keep their last number; hosts are numbered in
// order of appearance from .2 (on the shared bridge, from a block of the
// script's own).
func (n *normaliser) ip(a string) string {
	cut := strings.LastIndex(a, ".")
	real, host := a[:cut], a[cut+1:]
	net := ""
	switch {
	case n.ctx == "bridge":
		net = bridgeNet
	case n.ctx != "":
		key := fmt.Sprintf("%s#%d|%s", n.ctx, n.epoch[n.ctx], real)
		if net = n.netOf[key]; net == "" {
			net = n.newNet()
			n.netOf[key] = net
		}
	default:
		if net = n.cur[real]; net == "" {
			net = n.newNet()
		}
	}
	n.cur[real] = net
	if s, ok := n.hosts[a+"|"+net]; ok {
		return s
	}
	h := 0
	if host == "1" {
		h = 1
	} else if host != "0" {
		n.netHost[net]++
		h = n.netHost[net] + 1
		if net == bridgeNet {
			h += 16 * (scriptSlot(n.script) % 16)
		}
	}
	s := fmt.Sprintf("%s.%d", net, h)
	if h > 255 {
		s = fmt.Sprintf("%s.%d", net, h%256)
	}
	n.hosts[a+"|"+net] = s
	return s
}

// newNet is the script's next stand-in network, 172.(18+slot).k.
func (n *normaliser) newNet() string {
	k := n.nets
	n.nets++
	return fmt.Sprintf("172.%d.%d", 18+scriptSlot(n.script)%14, k%256)
}

// port gives each client port an ephemeral port in order of appearance,
// from a block of the script's own: two scripts never show the same one.
func (n *normaliser) port(p string) string {
	base := firstPort + 64*(scriptSlot(n.script)%16)
	return aliasFrom(n.ports, p, func(k int) string { return fmt.Sprint(base + 2*k) })
}

// pid keeps PostgreSQL's postmaster (PID 1 in its container) and numbers
// the other processes in order of appearance.
func (n *normaliser) pid(p string) string {
	if p == "1" {
		return p
	}
	return aliasFrom(n.pids, p, func(k int) string { return fmt.Sprint(firstPID + k) })
}

func aliasFrom(m map[string]string, key string, standIn func(k int) string) string {
	a, ok := m[key]
	if !ok {
		a = standIn(len(m))
		m[key] = a
	}
	return a
}

// text normalises one output; tables are cut along their header's columns,
// normalised cell by cell and re-aligned as docker aligns them.
func (n *normaliser) text(s string) string {
	if n.runID != "" {
		s = strings.ReplaceAll(s, n.runID, runStandIn)
	}
	s = ansiSeq.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "")
	n.bkLines = map[string]int{}
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
	return strings.Join(n.sortRuns(out), "\n")
}

// A prune lists what it deleted in no set order: sort those runs of lines.
var unordered = regexp.MustCompile(`^(deleted: |untagged: |[0-9a-f]{12}$|[0-9a-f]{64}$)`)

func (n *normaliser) sortRuns(lines []string) []string {
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && unordered.MatchString(lines[j]) {
			j++
		}
		if j > i+1 {
			run := lines[i:j]
			sort.SliceStable(run, func(a, b int) bool {
				ka, kb := n.aliasKey(run[a]), n.aliasKey(run[b])
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

// aliasKey is the alias index of the first ID stand-in of a line (0 if it
// has none): lines are sorted by the order in which their IDs first
// appeared in the record, not by the stand-ins' hex.
func (n *normaliser) aliasKey(l string) int {
	for _, re := range []*regexp.Regexp{hex64, hex12} {
		for _, h := range re.FindAllString(l, -1) {
			if k := n.aliasOf[h]; k > 0 {
				return k
			}
		}
	}
	return 0
}

func (n *normaliser) line(l string) string {
	l = strings.ReplaceAll(l, "$WORK/", "~/") // the script's folder: the reader's home
	l = hex64.ReplaceAllStringFunc(l, n.id)
	l = hex12.ReplaceAllStringFunc(l, n.id)
	if n.nameRe != nil {
		l = n.nameRe.ReplaceAllStringFunc(l, func(name string) string { return n.names[name] })
	}
	l = duration.ReplaceAllStringFunc(l, durationStandIn)
	switch m := bkDone.FindStringSubmatch(l); {
	case m != nil:
		l = m[1] + " DONE " + n.bkDoneTime(m[1])
	case bkStep.MatchString(l):
		l = composeTime.ReplaceAllString(l, bkSubStep)
	default:
		l = composeTime.ReplaceAllString(l, composeStep)
	}
	l = clientPort.ReplaceAllStringFunc(l, func(s string) string {
		m := clientPort.FindStringSubmatch(s)
		return m[1] + ":" + n.port(m[2]) + m[3]
	})
	l = pgTime.ReplaceAllString(l, n.day+" "+clockTime+".345 UTC")
	l = pgTimeSec.ReplaceAllString(l, n.day+" "+earlierTime+" UTC")
	l = pgPID.ReplaceAllStringFunc(l, func(s string) string {
		m := pgPID.FindStringSubmatch(s)
		return m[1] + "[" + n.pid(m[2]) + "]"
	})
	if m := bkTime.FindStringSubmatch(l); m != nil {
		l = m[1] + " " + n.bkLineTime(m[1]) + " " + l[len(m[0]):]
	}
	l = logTime.ReplaceAllString(l, `time="`+n.day+"T"+clockTime+`Z"`)
	l = logTTYTime.ReplaceAllString(l, "${1}[0000]")
	l = ctxSize.ReplaceAllString(l, "${1}  "+ctxStandIn)
	l = bakeSize.ReplaceAllString(l, "${1} "+bakeStandIn)
	l = privateIP.ReplaceAllStringFunc(l, n.ip)
	return l
}

// durationStandIn writes a container's age as docker would a few seconds
// after creating it: created 5 seconds ago, up (or exited) for 4.
func durationStandIn(s string) string {
	m := duration.FindStringSubmatch(s)
	switch {
	case m[1] != "":
		return m[1] + upStandIn + m[2]
	case m[2] != "":
		return createdAgo
	default:
		return upStandIn
	}
}

// bkLineTime is the time of a BuildKit step's next output line: the lines
// of a step are spaced evenly from its start.
func (n *normaliser) bkLineTime(step string) string {
	k := n.bkLines[step]
	n.bkLines[step] = k + 1
	return fmt.Sprintf("%.3f", bkFirstOffset+bkLineStep*float64(k))
}

// bkDoneTime is a BuildKit step's duration: a little after its last output
// line, or as long as its sub-steps for a step that printed none.
func (n *normaliser) bkDoneTime(step string) string {
	k := n.bkLines[step]
	if k == 0 {
		return bkSubStep
	}
	return fmt.Sprintf("%.1fs", bkFirstOffset+bkLineStep*float64(k-1)+0.1)
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
		// docker volume ls orders by name, and anonymous names are random:
		// order them by alias, named volumes (no alias) first, by name.
		body := cells[1:]
		last := len(starts) - 1
		sort.SliceStable(body, func(a, b int) bool {
			ka, kb := n.aliasKey(body[a][last]), n.aliasKey(body[b][last])
			if ka != kb {
				return ka < kb
			}
			return body[a][last] < body[b][last]
		})
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
